"""Writes of the newsletter: double opt-in with proof of consent, one-click
unsubscribe, access to and erasure of one's data, and campaigns sent in
batches with one delivery row per recipient, so that a retry or a killed
worker never mails anyone twice."""

from __future__ import annotations

import time

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from pf2s import ratelimit
from pf2s.mail import transport_connection

from .choices import CampaignStatus, DeliveryStatus, SubscriberStatus
from .models import Campaign, Delivery, Subscriber

CONSENT_TEXT = (
    "J'accepte de recevoir la lettre d'information de la Plateforme sanitaire et sociale "
    "Hauts-de-France (quatre numéros par an environ). Je peux me désabonner à tout moment par le "
    "lien présent dans chaque message, consulter ou effacer mes données."
)
CONFIRM_SALT = "pf2s.newsletter.confirm"
CONFIRM_MAX_AGE = 3 * 24 * 3600


class NewsletterError(ValueError):
    """A request refused, with the reason shown to the reader."""


def _absolute(path: str) -> str:
    return settings.PF2S_SITE_URL.rstrip("/") + path


#: seconds during which an address receives at most one subscription mail
MAIL_WINDOW = 900


def subscription_request(*, email: str) -> None:
    """Whatever the address's state, the reader gets the same answer; only
    its owner learns more, by mail."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except Exception as exc:
        raise NewsletterError("Adresse électronique invalide.") from exc
    with transaction.atomic():
        subscriber, _ = Subscriber.objects.select_for_update().get_or_create(
            email=email, defaults={"consent_text": CONSENT_TEXT}
        )
        if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
            subscriber.status = SubscriberStatus.PENDING
            subscriber.consent_text = CONSENT_TEXT
            subscriber.save(update_fields=["status", "consent_text"])
    if not ratelimit.first_in_window("newsletter-mail", ratelimit.mailbox(subscriber.email), window=MAIL_WINDOW):
        return  # one mail per address per window, whoever asks: the answer on the page stays the same
    if subscriber.status == SubscriberStatus.PENDING:
        key = signing.dumps({"id": subscriber.pk, "email": subscriber.email}, salt=CONFIRM_SALT)
        context = {"confirm_url": _absolute(reverse("newsletter-confirm", args=[key])), "days": 3}
        template = "confirm"
    else:
        context = {"data_url": _absolute(reverse("newsletter-data", args=[subscriber.token]))}
        template = "already"
    message = EmailMultiAlternatives(
        subject=render_to_string(f"newsletter/mail/{template}_subject.txt", context).strip(),
        body=render_to_string(f"newsletter/mail/{template}.txt", context),
        to=[subscriber.email],
    )
    message.send()


@transaction.atomic
def subscription_confirm(*, key: str, ip: str | None, user_agent: str) -> Subscriber:
    """The second step of the double opt-in, with its proof (when, from
    where, which text)."""
    try:
        data = signing.loads(key, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise NewsletterError("Ce lien a expiré : inscrivez-vous de nouveau pour en recevoir un autre.") from exc
    except signing.BadSignature as exc:
        raise NewsletterError("Ce lien n'est pas valide.") from exc
    subscriber = Subscriber.objects.select_for_update().filter(pk=data["id"], email=data["email"]).first()
    if subscriber is None:
        raise NewsletterError("Ce lien ne correspond plus à aucune inscription.")
    if subscriber.status != SubscriberStatus.CONFIRMED:
        subscriber.status = SubscriberStatus.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.consent_ip = ip
        subscriber.consent_user_agent = (user_agent or "")[:300]
        subscriber.save()
    return subscriber


def unsubscribe(*, token: str) -> Subscriber:
    subscriber = Subscriber.objects.filter(token=token).first()
    if subscriber is None:
        raise NewsletterError("Lien de désabonnement inconnu (déjà effacé ?).")
    if subscriber.status != SubscriberStatus.UNSUBSCRIBED:
        subscriber.status = SubscriberStatus.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed_at"])
    return subscriber


def subscriber_export(*, token: str) -> dict:
    subscriber = Subscriber.objects.filter(token=token).first()
    if subscriber is None:
        raise NewsletterError("Lien inconnu (données déjà effacées ?).")
    return {
        "adresse": subscriber.email,
        "statut": subscriber.get_status_display(),
        "inscription": subscriber.created_at.isoformat(),
        "confirmation": subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else None,
        "texte_consenti": subscriber.consent_text,
        "ip_confirmation": subscriber.consent_ip,
        "navigateur_confirmation": subscriber.consent_user_agent,
        "desabonnement": subscriber.unsubscribed_at.isoformat() if subscriber.unsubscribed_at else None,
        "envois": [
            {
                "lettre": d.campaign.subject,
                "statut": d.get_status_display(),
                "date": d.sent_at.isoformat() if d.sent_at else None,
            }
            for d in subscriber.deliveries.select_related("campaign")
        ],
    }


@transaction.atomic
def subscriber_erase(*, token: str) -> None:
    """Erase the subscriber; the delivery log keeps counts, not the address."""
    subscriber = Subscriber.objects.select_for_update().filter(token=token).first()
    if subscriber is None:
        raise NewsletterError("Lien inconnu (données déjà effacées ?).")
    subscriber.deliveries.update(email="", subscriber=None)
    subscriber.delete()


def subscribers_purge_unconfirmed(*, days: int = 7) -> int:
    """Pending subscriptions never confirmed are forgotten after `days`."""
    limit = timezone.now() - timezone.timedelta(days=days)
    deleted, _ = Subscriber.objects.filter(status=SubscriberStatus.PENDING, created_at__lt=limit).delete()
    return deleted


def campaign_message(*, campaign: Campaign, to: str, token: str | None, test: bool = False) -> EmailMultiAlternatives:
    """The campaign for one recipient: HTML and text, one-click unsubscribe."""
    unsubscribe_url = _absolute(reverse("newsletter-unsubscribe", args=[token or "essai"]))
    context = {
        "campaign": campaign,
        "articles": list(campaign.articles.public()),
        "issue": campaign.issue,
        "unsubscribe_url": unsubscribe_url,
        "site_url": settings.PF2S_SITE_URL.rstrip("/"),
        "data_url": _absolute(reverse("newsletter-data", args=[token or "essai"])),
    }
    subject = ("[ESSAI] " if test else "") + campaign.subject
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("newsletter/mail/campaign.txt", context),
        to=[to],
        headers={"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(render_to_string("newsletter/mail/campaign.html", context), "text/html")
    return message


def campaign_send_test(*, campaign_id: int, to: str) -> None:
    validate_email(to)
    campaign_message(campaign=Campaign.objects.get(pk=campaign_id), to=to, token=None, test=True).send()


@transaction.atomic
def campaign_start(*, campaign_id: int) -> Campaign:
    """Freeze the recipients (confirmed subscribers now) and queue the job."""
    from .tasks import campaign_send

    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status == CampaignStatus.SENT:
        raise NewsletterError("Cette lettre est déjà partie.")
    campaign.status = CampaignStatus.SENDING
    campaign.started_at = campaign.started_at or timezone.now()
    campaign.save(update_fields=["status", "started_at"])
    Delivery.objects.bulk_create(
        [
            Delivery(campaign=campaign, subscriber=s, email=s.email)
            for s in Subscriber.objects.filter(status=SubscriberStatus.CONFIRMED)
        ],
        ignore_conflicts=True,
    )
    transaction.on_commit(lambda: campaign_send.delay(campaign.pk))
    return campaign


def campaign_deliver(*, campaign_id: int) -> dict:
    """Send what is still to send, batch by batch. Each delivery is claimed
    (committed as `sending`) before its message leaves and marked `sent`
    right after; one left `sending` by an interrupted run is `unknown` and
    never re-sent automatically (a mail may have left): safe to run twice."""
    campaign = Campaign.objects.get(pk=campaign_id)
    if campaign.status != CampaignStatus.SENDING:
        return {"sent": 0, "skipped": "not sending"}
    Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.UNKNOWN, error="interrompu pendant la remise"
    )
    size, pause, sent = settings.NEWSLETTER_BATCH_SIZE, settings.NEWSLETTER_BATCH_PAUSE, 0
    connection = transport_connection()  # this job is the mail queue: straight to SMTP
    while True:
        with transaction.atomic():
            batch = list(
                Delivery.objects.select_for_update(skip_locked=True)
                .filter(campaign=campaign, status=DeliveryStatus.PENDING)
                .order_by("pk")[:size]
            )
            for delivery in batch:
                delivery.status, delivery.attempts = DeliveryStatus.SENDING, delivery.attempts + 1
            Delivery.objects.bulk_update(batch, ["status", "attempts"])
        if not batch:
            break
        for delivery in batch:
            try:
                token = delivery.subscriber.token if delivery.subscriber_id else None
                if token is None:  # erased since the campaign started
                    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, error="abonné effacé")
                    continue
                connection.send_messages([campaign_message(campaign=campaign, to=delivery.email, token=token)])
            except Exception as exc:  # an SMTP refusal is this recipient's failure, not the campaign's
                Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, error=str(exc)[:300])
                continue
            Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT, sent_at=timezone.now())
            sent += 1
        Campaign.objects.filter(pk=campaign.pk).update(paused_until=timezone.now() + timezone.timedelta(seconds=pause))
        time.sleep(pause)
    Campaign.objects.filter(pk=campaign.pk).update(
        status=CampaignStatus.SENT, finished_at=timezone.now(), paused_until=None
    )
    return {"sent": sent}


@transaction.atomic
def delivery_bounce(*, delivery_id: int, reason: str = "") -> Delivery:
    """Record a bounce (the provider's report): the delivery is marked, and
    the address stops receiving the letter."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    delivery.status = DeliveryStatus.BOUNCED
    delivery.error = (reason or "rejet signalé par le fournisseur d'envoi")[:300]
    delivery.save(update_fields=["status", "error"])
    if delivery.subscriber_id:
        Subscriber.objects.filter(pk=delivery.subscriber_id).update(
            status=SubscriberStatus.UNSUBSCRIBED, unsubscribed_at=timezone.now()
        )
    return delivery
