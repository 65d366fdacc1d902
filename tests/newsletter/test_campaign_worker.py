"""A real worker killed in the middle of a campaign: after the retry every
confirmed subscriber has exactly one mail."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.utils import timezone

from newsletter.models import Campaign, Delivery, Subscriber
from newsletter.services import campaign_start
from newsletter.tasks import campaign_send
from tests.workers import RealWorker, needs_services, wait_for


def mails_per_recipient(folder) -> Counter:
    counts: Counter = Counter()
    for path in folder.iterdir():
        counts.update(re.findall(r"^To: (\S+)$", path.read_text(encoding="utf-8", errors="ignore"), re.MULTILINE))
    return counts


@needs_services
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_never_mails_anyone_twice(tmp_path, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    subscribers = [Subscriber.objects.create(email=f"abonne{n:02d}@example.org", status="confirmed") for n in range(23)]
    Subscriber.objects.create(email="pas-confirme@example.org")  # never mailed
    campaign = Campaign.objects.create(subject="Lettre d'automne", introduction="Bonjour")
    env = {
        "PF2S_TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "PF2S_TEST_EMAIL_FILE_PATH": str(tmp_path),
        "NEWSLETTER_BATCH_SIZE": "5",
        "NEWSLETTER_BATCH_PAUSE": "1.5",
    }
    with RealWorker("mailer", env=env) as run:
        campaign_start(campaign_id=campaign.pk)
        paused = wait_for(
            lambda: (
                Delivery.objects.filter(campaign=campaign, status="sent").count() >= 5
                and Campaign.objects.filter(pk=campaign.pk, paused_until__gt=timezone.now()).exists()
            ),
            timeout=60,
            interval=0.05,
        )
        assert paused, run.kill()[-3000:]
        run.kill()  # kill -9 between two batches
        sent = Delivery.objects.filter(campaign=campaign, status="sent").count()
        assert 5 <= sent < 23 and Campaign.objects.get(pk=campaign.pk).status == "sending"
        assert sum(mails_per_recipient(tmp_path).values()) == sent

        run.restart()
        campaign_send.delay(campaign.pk)  # the retry
        assert wait_for(lambda: Campaign.objects.filter(pk=campaign.pk, status="sent").exists(), timeout=120), (
            run.kill()[-3000:]
        )
        campaign_send.delay(campaign.pk)  # and once more, for nothing
        assert wait_for(lambda: Campaign.objects.get(pk=campaign.pk).finished_at is not None, timeout=30)
    counts = mails_per_recipient(tmp_path)
    assert counts == Counter({s.email: 1 for s in subscribers})
    assert set(Delivery.objects.filter(campaign=campaign).values_list("status", flat=True)) == {"sent"}
