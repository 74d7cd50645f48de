"""KOReader's progress sync against a real server, spoken as KOReader's kosync plugin speaks it
(``plugins/kosync.koplugin``: ``api.json`` and ``KOSyncClient.lua``): the ``Accept`` header of
its GinClient middleware, ``x-auth-user`` and ``x-auth-key`` = MD5(password) from its
KOSyncAuth middleware, JSON bodies, the engine's URL + ``/kosync`` as the custom server.

Documents are named by KOReader's partial MD5 of the file, computed here by the implementation
written from KOReader's source (tests/test_koreader_fingerprint.py), never by the engine's.
"""

import hashlib

import httpx
import pytest

from tests.ebook_samples import write_book, write_pdf
from tests.live_engine import add_folder, api, live_engine, scan
from tests.test_koreader_fingerprint import koreader_partial_md5


class KOReader:
    """One device: KOReader's sync client settings (custom server, user name, userkey)."""

    def __init__(self, engine, password, *, user="reader", device="Kobo Libra 2", device_id="dev-1"):
        self.http = httpx.Client(base_url=f"{engine.url}/kosync", timeout=30)
        self.user, self.userkey = user, hashlib.md5(password.encode()).hexdigest()
        self.device, self.device_id = device, device_id

    def headers(self, authenticated=True):
        headers = {"accept": "application/vnd.koreader.v1+json"}
        if authenticated:
            headers.update({"x-auth-user": self.user, "x-auth-key": self.userkey})
        return headers

    def authorize(self):
        return self.http.get("/users/auth", headers=self.headers())

    def register(self):
        return self.http.post("/users/create", headers=self.headers(authenticated=False), json={"username": self.user, "password": self.userkey})

    def update_progress(self, document, progress, percentage):
        return self.http.put("/syncs/progress", headers=self.headers(), json={
            "document": document, "progress": str(progress), "percentage": percentage,
            "device": self.device, "device_id": self.device_id,
        })

    def get_progress(self, document):
        return self.http.get(f"/syncs/progress/{document}", headers=self.headers())


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    root = tmp_path_factory.mktemp("books")
    write_book(root / "dune.epub", title="Dune", author="Frank Herbert", year=1965)
    write_pdf(root / "Field Manual.pdf", title="Field Manual")
    return root


@pytest.fixture(scope="module")
def engine(tmp_path_factory, library):
    with live_engine(tmp_path_factory.mktemp("engine")) as server:
        scan(server, add_folder(server, library)["id"])
        alice = api(server, "POST", "/profiles", json={"display_name": "Alice"}, expect=201).json()["id"]
        bob = api(server, "POST", "/profiles", json={"display_name": "Bob"}, expect=201).json()["id"]

        def key(profile, label):
            return api(server, "POST", "/admin/api-keys", json={"label": label, "role": "Consumer", "profile_id": profile}, expect=201).json()["key"]

        server.sync_keys = {"alice-kobo": key(alice, "Kobo"), "alice-phone": key(alice, "Phone"), "bob": key(bob, "Bob's Kindle")}
        yield server


@pytest.fixture(scope="module")
def dune(library):
    return koreader_partial_md5(library / "dune.epub")


def test_login_with_a_key_as_password_and_any_user_name(engine):
    assert KOReader(engine, engine.sync_keys["alice-kobo"], user="alice").authorize().json() == {"authorized": "OK"}
    assert KOReader(engine, engine.sync_keys["alice-kobo"], user="whoever").authorize().status_code == 200


@pytest.mark.parametrize("password", ["wrong password", "mek_000000000000_" + "A" * 49, ""])
def test_a_wrong_password_is_401_in_the_protocols_error_format(engine, password):
    response = KOReader(engine, password).authorize()
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == 2001 and "API key" in body["message"]


@pytest.mark.parametrize("password", ["wrong password", "mek_000000000000_" + "A" * 49])
def test_a_wrong_password_on_an_update_is_401_in_the_protocols_error_format(engine, dune, password):
    """An update carries a body, so the engine judges it before reading the body; the refusal
    still speaks kosync."""
    response = KOReader(engine, password).update_progress(dune, 3, 0.1)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == 2001 and "API key" in body["message"], body


def test_registration_is_refused_with_a_message_koreader_shows(engine):
    # Registering sends no credential; from this machine that is the localhost Administrator
    # (elsewhere a 401 with the same advice), and the view refuses to make an account.
    response = KOReader(engine, engine.sync_keys["alice-kobo"]).register()
    assert response.status_code == 403
    assert response.json()["code"] == 2005 and "API key" in response.json()["message"]


def test_two_devices_of_one_profile_see_each_others_progress_and_another_profile_does_not(engine, dune):
    kobo = KOReader(engine, engine.sync_keys["alice-kobo"], device="Kobo Libra 2", device_id="kobo-1")
    phone = KOReader(engine, engine.sync_keys["alice-phone"], device="Android phone", device_id="phone-1")
    bob = KOReader(engine, engine.sync_keys["bob"], device="Kindle", device_id="kindle-1")
    assert phone.get_progress(dune).json() == {}

    pushed = kobo.update_progress(dune, "/body/DocFragment[3]/body/p[7]/text().42", 0.3125)
    assert pushed.status_code == 200, pushed.text
    assert pushed.json()["document"] == dune and isinstance(pushed.json()["timestamp"], int)

    pulled = phone.get_progress(dune).json()
    assert pulled == {
        "document": dune, "progress": "/body/DocFragment[3]/body/p[7]/text().42", "percentage": 0.3125,
        "device": "Kobo Libra 2", "device_id": "kobo-1", "timestamp": pushed.json()["timestamp"],
    }
    assert bob.get_progress(dune).json() == {}

    assert phone.update_progress(dune, "/body/DocFragment[5]/body/p[1]/text().0", 0.5).status_code == 200
    assert kobo.get_progress(dune).json()["device_id"] == "phone-1"
    assert kobo.get_progress(dune).json()["percentage"] == 0.5

    assert bob.update_progress(dune, "/body/DocFragment[1]", 0.01).status_code == 200
    assert kobo.get_progress(dune).json()["percentage"] == 0.5
    assert bob.get_progress(dune).json()["percentage"] == 0.01


def test_the_rest_api_reads_and_writes_the_same_progress(engine, dune, library):
    kobo = KOReader(engine, engine.sync_keys["alice-kobo"], device_id="kobo-1")
    works = api(engine, "GET", "/library/works?q=dune", key=engine.sync_keys["alice-phone"], expect=200).json()["results"]
    work_id = works[0]["id"]
    assert kobo.update_progress(dune, "/body/DocFragment[9]", 0.75).status_code == 200
    seen = api(engine, "GET", f"/library/works/{work_id}/progress", key=engine.sync_keys["alice-phone"], expect=200).json()
    assert (seen["percentage"], seen["position"], seen["device_id"]) == (0.75, "/body/DocFragment[9]", "kobo-1")
    assert api(engine, "GET", f"/library/works/{work_id}/progress", key=engine.sync_keys["bob"], expect=200).json()["percentage"] == 0.01

    api(engine, "PUT", f"/library/works/{work_id}/progress", key=engine.sync_keys["alice-phone"], json={"percentage": 0.8, "position": "/body/DocFragment[10]"}, expect=200)
    pulled = kobo.get_progress(dune).json()
    assert (pulled["percentage"], pulled["progress"], pulled["device"]) == (0.8, "/body/DocFragment[10]", "Phone")


def test_a_pdf_is_synced_by_its_page_number(engine, library):
    manual = koreader_partial_md5(library / "Field Manual.pdf")
    kobo = KOReader(engine, engine.sync_keys["alice-kobo"])
    assert kobo.update_progress(manual, 1, 1.0).status_code == 200
    assert kobo.get_progress(manual).json()["progress"] == "1"


@pytest.mark.parametrize(
    "body, status",
    [
        ({"document": "0" * 32, "progress": "1", "percentage": 0.1, "device": "x"}, 404),  # not in the library
        ({"document": "not-a-digest", "progress": "1", "percentage": 0.1, "device": "x"}, 400),
        ({"document": None, "progress": "1", "percentage": 0.1, "device": "x"}, 400),
        ({"progress": "1", "percentage": 0.1, "device": "x"}, 400),
        ({"document": "DOC", "progress": "1", "percentage": 2, "device": "x"}, 400),
        ({"document": "DOC", "progress": "1", "percentage": "NaN", "device": "x"}, 400),
        ({"document": "DOC", "progress": "x" * 5000, "percentage": 0.1, "device": "x"}, 400),
        ({"document": "DOC", "progress": {"nested": True}, "percentage": 0.1, "device": "x"}, 400),
        ([1, 2, 3], 400),
    ],
)
def test_bad_updates_are_refused_in_the_protocols_format_and_change_nothing(engine, dune, body, status):
    kobo = KOReader(engine, engine.sync_keys["alice-kobo"])
    before = kobo.get_progress(dune).json()
    if isinstance(body, dict) and body.get("document") == "DOC":
        body = {**body, "document": dune}
    response = kobo.http.put("/syncs/progress", headers=kobo.headers(), json=body)
    assert response.status_code == status, response.text
    assert isinstance(response.json()["code"], int) and response.json()["message"]
    assert kobo.get_progress(dune).json() == before


def test_a_deeply_nested_body_is_400_not_500(engine):
    kobo = KOReader(engine, engine.sync_keys["alice-kobo"])
    response = kobo.http.put("/syncs/progress", headers={**kobo.headers(), "content-type": "application/json"}, content=b"[" * 5000 + b"]" * 5000)
    assert response.status_code == 400 and response.json()["code"] == 2003


def test_a_revoked_key_stops_syncing_on_the_next_request(engine, dune):
    spare = api(engine, "POST", "/admin/api-keys", json={"label": "Spare", "role": "Consumer"}, expect=201).json()
    device = KOReader(engine, spare["key"])
    assert device.authorize().status_code == 200
    api(engine, "DELETE", f"/admin/api-keys/{spare['id']}", expect=200)
    assert device.authorize().status_code == 401
    assert device.get_progress(dune).status_code == 401


def test_basic_authentication_works_on_the_sync_routes_too(engine):
    response = httpx.get(f"{engine.url}/kosync/users/auth", auth=("alice", engine.sync_keys["alice-kobo"]), timeout=10)
    assert response.status_code == 200 and response.json() == {"authorized": "OK"}


def test_neither_the_key_nor_its_sync_credential_reaches_the_log(engine):
    log = engine.log_path and open(engine.log_path, errors="replace").read()
    for key in engine.sync_keys.values():
        assert key not in log
        assert hashlib.md5(key.encode()).hexdigest() not in log
