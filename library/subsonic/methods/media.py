"""Files: ``stream`` and ``download`` send a song's original file through the engine's streaming.

``maxBitRate``, ``format``, ``timeOffset`` and ``estimateContentLength`` are accepted and the
original file is sent, since the engine does not transcode: the song's ``transcodedSuffix`` is
never set, so clients know. Range, ETag, containment and the streaming quota are the same as on
``/stream/``.
"""

from library.models import Asset
from library.streaming.views import asset_response
from library.subsonic import catalog
from library.subsonic.errors import not_found
from library.subsonic.registry import method


def _asset_of(call):
    work_id = catalog.parse_song_id(call.params.text("id", required=True))
    asset = None
    if work_id is not None:
        asset = Asset.objects.filter(work_id=work_id, work__kind__in=catalog.SONG_KINDS).order_by("id").first()
    if asset is None:
        raise not_found("No such song.")
    return asset


def _file(call):
    """The song's file; a form POST (``formPost``) is answered as the GET it stands for."""
    http_method = "GET" if call.request.method == "POST" else call.request.method
    return asset_response(call.request, _asset_of(call).pk, method=http_method)


@method("stream")
def stream(call):
    return _file(call)


@method("download")
def download(call):
    response = _file(call)
    disposition = response.get("Content-Disposition")
    if disposition:
        response["Content-Disposition"] = disposition.replace("inline", "attachment", 1)
    return response
