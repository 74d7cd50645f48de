"""Provider settings, secrets, health and look-ups: the writes every entry point shares.

Background work (look-ups, probes, re-resolution) is queued by name through
``library.background``; ``tasks.py`` runs it by calling back into this module.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from library import background, events
from library.metadata.services import record_claims, resolve_work
from library.models import Provider, ProviderName, Work, WorkKind
from library.providers.base import ProviderError
from library.providers.musicbrainz import MusicBrainzClient
from library.providers.tmdb import TmdbClient
from security import secret_store
from security.audit import apply_changes, record

logger = logging.getLogger(__name__)

#: Providers that cannot work without an API key in the secret store.
NEEDS_SECRET = frozenset({ProviderName.TMDB})
LOOKUP_TIMEOUT = 10.0
PROBE_TIMEOUT = 3.0
PROBE_INTERVAL = timedelta(minutes=15)
#: Work ids per queued look-up task.
LOOKUP_BATCH = 100
UNREADABLE = "secret unreadable: the master key cannot decrypt the stored API key."
NO_SECRET = "No API key is configured."
KIND_PROVIDER = {
    WorkKind.FILM: ProviderName.TMDB,
    WorkKind.SHOW: ProviderName.TMDB,
    WorkKind.MUSIC: ProviderName.MUSICBRAINZ,
}


class MissingSecret(ProviderError):
    pass


def get_provider(name):
    """The provider's row (made on first use), or None for a name that is not a provider."""
    if name not in ProviderName.values:
        return None
    return Provider.objects.get_or_create(name=name)[0]


def status(provider):
    """The provider's status as ``/settings/providers`` shows it; never the secret."""
    state = secret_store.secret_state(provider.name)
    error = provider.last_error
    if state == "unreadable":
        error = UNREADABLE
    elif state == "missing" and provider.name in NEEDS_SECRET and not error:
        error = NO_SECRET
    return {
        "name": provider.name,
        "enabled": provider.enabled,
        "weight": provider.weight,
        "secret_configured": state != "missing",
        "reachable": provider.reachable,
        "last_checked": provider.last_checked,
        "last_error": error,
    }


def update_provider(provider, *, actor, enabled=None, weight=None):
    """Change enabled/weight; audited. A new weight re-resolves the provider's works in the background."""
    changes = {}
    if enabled is not None and enabled != provider.enabled:
        changes["enabled"] = enabled
    if weight is not None and weight != provider.weight:
        changes["weight"] = weight
    if not changes:
        return provider
    with transaction.atomic():
        described = apply_changes(provider, changes)
        provider.save(update_fields=list(changes))
        record("provider.updated", actor, f"provider {provider.name}: {described}")
    if "weight" in changes:
        background.enqueue_on_commit("reresolve_source", provider.name)
    return provider


def set_secret(provider, value, *, actor):
    """Store ``provider``'s API key (validated, encrypted and audited by the secret store), clear
    its last error and queue a fresh probe; ``InvalidSecret`` or ``MasterKeyUnavailable`` store
    nothing. The REST API and ``manage.py providersecret set`` both come here, so an old
    "refused the key" never outlives the key that caused it.
    """
    secret_store.set_secret(provider.name, value, actor=actor)
    record_health(provider, reachable=provider.reachable, error="")
    background.enqueue_on_commit("probe_providers", [provider.name])


def remove_secret(provider, *, actor):
    """Remove ``provider``'s API key (audited); True when there was one."""
    return secret_store.delete_secret(provider.name, actor=actor)


def record_health(provider, *, reachable, error=""):
    Provider.objects.filter(pk=provider.pk).update(
        reachable=reachable, last_error=(error or "")[:300], last_checked=timezone.now()
    )
    provider.reachable, provider.last_error = reachable, (error or "")[:300]


def client_for(provider, *, timeout=LOOKUP_TIMEOUT, retries=2):
    """A client for ``provider``; :class:`MissingSecret` or ``SecretUnreadable`` when it has no usable key."""
    config = settings.MEDIA_ENGINE
    if provider.name == ProviderName.TMDB:
        secret = secret_store.read_secret(provider.name)
        if secret is None:
            raise MissingSecret(NO_SECRET)
        return TmdbClient(config["TMDB_URL"], secret, timeout=timeout, retries=retries)
    return MusicBrainzClient(
        config["MUSICBRAINZ_URL"], contact=config["MUSICBRAINZ_CONTACT"], timeout=timeout, retries=retries
    )


def probe(provider):
    """Check that the provider answers (short timeout, no retry) and record the outcome."""
    try:
        with client_for(provider, timeout=PROBE_TIMEOUT, retries=0) as client:
            client.probe()
    except secret_store.SecretUnreadable:
        record_health(provider, reachable=provider.reachable, error=UNREADABLE)
    except MissingSecret as error:
        record_health(provider, reachable=None, error=error.detail)
    except ProviderError as error:
        record_health(provider, reachable=not error.unreachable, error=error.detail)
    else:
        record_health(provider, reachable=True)
    return provider


def probe_named(names=None):
    """Probe every provider, or those in ``names``."""
    for provider in Provider.objects.ensure_all():
        if names is None or provider.name in names:
            probe(provider)


def probe_due(providers, now=None):
    now = now or timezone.now()
    return [p for p in providers if p.enabled and (p.last_checked is None or now - p.last_checked > PROBE_INTERVAL)]


def enqueue_probe_if_due(providers):
    """From the status page: probe stale providers in the background, at most every few minutes."""
    due = probe_due(providers)
    if due and cache.add("providers:probe-scheduled", True, timeout=300):
        background.enqueue_on_commit("probe_providers", [provider.name for provider in due])


def enqueue_lookups(work_ids):
    """Queue provider look-ups for ``work_ids`` (new or changed works after a scan); never raises,
    so queueing cannot fail a scan."""
    try:
        ids = sorted({int(work_id) for work_id in work_ids})
    except (TypeError, ValueError):
        logger.exception("enqueue_lookups was given something other than work ids.")
        return
    for start in range(0, len(ids), LOOKUP_BATCH):
        background.enqueue_on_commit("lookup_works", ids[start:start + LOOKUP_BATCH])


def lookup_works(work_ids):
    """Ask each work's provider about it and record the answers as claims; never raises.

    A provider that fails (refused key, unreachable, rate limited after retries, malformed
    answer) is recorded in its status and skipped for the rest of the batch.
    """
    providers = {provider.name: provider for provider in Provider.objects.ensure_all()}
    clients, failed, used = {}, set(), set()
    harvested = 0
    try:
        for work in Work.objects.filter(pk__in=list(work_ids)).order_by("pk"):
            name = KIND_PROVIDER.get(work.kind)
            provider = providers.get(name)
            if provider is None or not provider.enabled or name in failed:
                continue
            try:
                if name not in clients:
                    clients[name] = client_for(provider)
                result = _ask(clients[name], work)
                used.add(name)
            except secret_store.SecretUnreadable:
                record_health(provider, reachable=provider.reachable, error=UNREADABLE)
                failed.add(name)
                continue
            except ProviderError as error:
                logger.warning("Metadata look-up with %s stopped: %s", provider.name, error.detail)
                record_health(provider, reachable=not error.unreachable, error=error.detail)
                failed.add(name)
                continue
            except Exception:
                logger.exception("Metadata look-up with %s failed for work %s.", provider.name, work.pk)
                record_health(provider, reachable=provider.reachable, error="The look-up failed unexpectedly; see the log.")
                failed.add(name)
                continue
            if result is not None:
                harvested += _harvest(work, provider, *result)
        for name in used - failed:
            record_health(providers[name], reachable=True)
    finally:
        for client in clients.values():
            client.close()
    return harvested


def _ask(client, work):
    if isinstance(client, TmdbClient):
        if work.kind == WorkKind.SHOW:
            name = work.series or work.title
            if not name:
                return None
            found = client.lookup(name, show=True)
            if found is None:
                return None
            values, confidence = found
            show = {"series": values["title"]} if "title" in values else {}
            show.update({key: values[key] for key in ("tmdb_id", "genre") if key in values})
            return show, confidence
        return client.lookup(work.title, work.year) if work.title else None
    return client.lookup(work.title, work.artist or None) if work.title else None


def _harvest(work, provider, values, confidence):
    try:
        claims = record_claims(work, values, source=provider.name, confidence=confidence, claimed_by=f"provider {provider.name}")
    except Exception as error:  # an answer we cannot store is the provider's problem, not the scan's
        logger.warning("Ignoring an unusable answer from %s for work %s: %s", provider.name, work.pk, error)
        return 0
    if not claims:
        return 0
    changed = resolve_work(work)
    events.metadata_harvested(work, provider, claims, changed)
    return 1


def reresolve_source(name):
    for work in Work.objects.filter(claims__source=name).distinct().iterator():
        resolve_work(work)
