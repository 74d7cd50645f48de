def test_status_is_open_to_anonymous_remote_callers(remote):
    response = remote.get("/system/status")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_status_reveals_nothing_but_state_and_version_to_strangers(remote):
    assert set(remote.get("/system/status").json()) == {"status", "version"}


def test_status_ignores_a_bad_key_instead_of_failing_the_probe(remote):
    response = remote.get("/system/status", key="mek_not-a-key")
    assert response.status_code == 200
    assert set(response.json()) == {"status", "version"}


def test_administrators_see_deployment_warnings(client_as):
    response = client_as("Administrator").get("/system/status")
    assert "warnings" in response.json()
