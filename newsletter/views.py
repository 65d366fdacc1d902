"""The newsletter: subscription with double opt-in, one-click unsubscribe,
one's data; campaigns for editors."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt

from pf2s import ratelimit
from pf2s.access import Audience, audience
from pf2s.clientip import client_ip

from . import selectors, services
from .choices import CampaignStatus, DeliveryStatus
from .models import Campaign, Subscriber

#: subscription requests per client (an IPv4 address, an IPv6 /64) per 10 minutes: an office
#: behind one address signs several people up, a script is stopped
SUBSCRIPTIONS_PER_CLIENT = 20
SAME_ANSWER = (
    "Merci. Si cette adresse peut recevoir la lettre, un message va lui être envoyé dans les "
    "minutes qui viennent : suivez le lien qu'il contient (valable trois jours) pour confirmer "
    "l'inscription."
)


@audience(Audience.PUBLIC)
def newsletter_index(request: HttpRequest):
    error = ""
    status = 200
    if request.method == "POST" and not ratelimit.allow(
        "newsletter", ratelimit.client_key(client_ip(request)), limit=SUBSCRIPTIONS_PER_CLIENT, window=600
    ):
        error, status = "Trop de demandes depuis votre connexion : réessayez dans dix minutes.", 429
    elif request.method == "POST":
        if request.POST.get("consent") != "on":
            error = "Cochez la case de consentement pour vous inscrire."
        else:
            try:
                services.subscription_request(email=request.POST.get("email", ""))
            except services.NewsletterError as exc:
                error = str(exc)
            else:
                messages.success(request, SAME_ANSWER)
                return redirect("newsletter-index")
    return render(
        request,
        "newsletter/index.html",
        {"consent_text": services.CONSENT_TEXT, "error": error},
        status=status if status != 200 else 400 if error else 200,
    )


@audience(Audience.PUBLIC)
def newsletter_confirm(request: HttpRequest, key: str):
    """A button, not the link alone: mail scanners that open links do not
    subscribe anyone."""
    if request.method == "POST":
        try:
            services.subscription_confirm(
                key=key, ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
            )
        except services.NewsletterError as exc:
            return render(
                request, "newsletter/message.html", {"title": "Lien non valable", "text": str(exc)}, status=400
            )
        return render(
            request,
            "newsletter/message.html",
            {
                "title": "Inscription confirmée",
                "text": "Vous recevrez la prochaine lettre. Chaque message contient un lien de désabonnement.",
            },
        )
    return render(request, "newsletter/confirm.html", {"key": key})


@audience(Audience.PUBLIC)
@csrf_exempt  # RFC 8058 one-click: the mail client posts without a form of ours
def newsletter_unsubscribe(request: HttpRequest, token: str):
    if request.method == "POST":
        try:
            services.unsubscribe(token=token)
        except services.NewsletterError as exc:
            return render(request, "newsletter/message.html", {"title": "Lien inconnu", "text": str(exc)}, status=404)
        return render(
            request,
            "newsletter/message.html",
            {"title": "Désabonnement enregistré", "text": "Vous ne recevrez plus la lettre d'information."},
        )
    if not Subscriber.objects.filter(token=token).exists():
        return render(
            request, "newsletter/message.html", {"title": "Lien inconnu", "text": "Lien inconnu."}, status=404
        )
    return render(request, "newsletter/unsubscribe.html", {"token": token})


@audience(Audience.PUBLIC)
def newsletter_data(request: HttpRequest, token: str):
    """One's data: see it, download it, erase it."""
    try:
        data = services.subscriber_export(token=token)
    except services.NewsletterError as exc:
        return render(request, "newsletter/message.html", {"title": "Lien inconnu", "text": str(exc)}, status=404)
    if request.method == "POST" and "erase" in request.POST:
        services.subscriber_erase(token=token)
        return render(
            request,
            "newsletter/message.html",
            {"title": "Données effacées", "text": "Votre adresse et vos données d'inscription sont effacées."},
        )
    if request.GET.get("format") == "json":
        return HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json",
            headers={"Content-Disposition": 'attachment; filename="pf2s-lettre-mes-donnees.json"'},
        )
    return render(request, "newsletter/data.html", {"data": data, "token": token})


@audience(Audience.EDITOR)
def campaign_list(request: HttpRequest):
    """Editors: campaigns and the figures (subscribers over time, bounces)."""
    return render(request, "newsletter/campaigns.html", selectors.newsletter_figures())


@audience(Audience.EDITOR)
def campaign_detail(request: HttpRequest, campaign_id: int):
    """Preview, send a test, send."""
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    if request.method == "POST":
        try:
            if "test_to" in request.POST:
                services.campaign_send_test(campaign_id=campaign.pk, to=request.POST["test_to"].strip())
                messages.success(request, "Message d'essai envoyé.")
            elif "send" in request.POST:
                services.campaign_start(campaign_id=campaign.pk)
                messages.success(request, "Envoi lancé : il se poursuit en arrière-plan, par lots.")
        except ValidationError:
            messages.error(request, "Adresse d'essai invalide.")
        except services.NewsletterError as exc:
            messages.error(request, str(exc))
        return redirect("newsletter-campaign", campaign_id=campaign.pk)
    preview = services.campaign_message(campaign=campaign, to="apercu@example.org", token=None)
    return render(
        request,
        "newsletter/campaign.html",
        {
            "campaign": campaign,
            "preview_html": preview.alternatives[0][0],
            "preview_text": preview.body,
            "counts": {s.label: campaign.deliveries.filter(status=s.value).count() for s in DeliveryStatus},
            "can_send": campaign.status == CampaignStatus.DRAFT,
        },
    )
