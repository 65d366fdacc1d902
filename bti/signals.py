"""Deactivating a member, an organisation or a user ends their live
sessions at once (not at their next login)."""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from pf2s.accounts import sessions_end

from .models import Membership, Organisation


@receiver(post_save, sender=Membership)
def membership_saved(sender, instance: Membership, **kwargs):
    if not instance.is_active:
        sessions_end(users=[instance.user_id])


@receiver(post_save, sender=Organisation)
def organisation_saved(sender, instance: Organisation, **kwargs):
    if not instance.is_active:
        sessions_end(users=instance.members.values("user_id"))


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def user_saved(sender, instance, **kwargs):
    if not instance.is_active:
        sessions_end(users=[instance.pk])
