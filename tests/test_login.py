"""Signing in to the admin: lockout after failed attempts, and strong passwords."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "Correct horse 42 battery"
LOCKED = "Too many failed sign-ins for this account from your address."
HOME = "203.0.113.7"
ELSEWHERE = "198.51.100.9"
PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _limits(settings):
    """Lock after three failures for an hour, whatever the environment says.

    Passwords are hashed with a fast hasher: these tests sign in dozens of times.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(hours=1)
    settings.PROXY_COUNT = 0
    AccessAttempt.objects.all().delete()
    yield
    AccessAttempt.objects.all().delete()


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user(
        "alice", password=PASSWORD, is_staff=True
    )


def sign_in(username, password, address=HOME, client=None, **headers):
    client = client or Client()
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def fail(times, username="alice", address=HOME, **headers):
    for _ in range(times):
        sign_in(username, "wrong password", address, **headers)


def signed_in(response):
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def test_right_password_signs_in(alice):
    """A staff member with the right password is signed in."""
    assert signed_in(sign_in("alice", PASSWORD))


def test_failures_up_to_the_limit_lock_that_username_from_that_address(alice):
    """After the limit, even the right password gets the lockout page."""
    fail(3)

    response = sign_in("alice", PASSWORD)

    assert response.status_code == 429
    assert LOCKED in response.text
    assert "Try again in an hour." in response.text
    assert not signed_in(response)


def test_failures_below_the_limit_do_not_lock(alice):
    """One failure fewer than the limit still lets the right password in."""
    fail(2)

    assert signed_in(sign_in("alice", PASSWORD))


def test_lockout_does_not_reach_other_addresses_or_other_usernames(
    alice, django_user_model
):
    """Alice from elsewhere, and Bob from the same address, may still sign in."""
    django_user_model.objects.create_user("bob", password=PASSWORD, is_staff=True)
    fail(3)

    assert signed_in(sign_in("alice", PASSWORD, address=ELSEWHERE))
    assert signed_in(sign_in("bob", PASSWORD))


def test_a_success_before_the_limit_resets_the_count(alice):
    """Failures before a successful sign-in no longer count towards a lockout."""
    fail(2)
    assert signed_in(sign_in("alice", PASSWORD))
    fail(2)

    assert signed_in(sign_in("alice", PASSWORD))


def test_the_lock_lifts_after_the_cool_off(alice):
    """Once the cool-off has passed, the right password signs in again."""
    fail(3)
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=2)
    )

    assert signed_in(sign_in("alice", PASSWORD))


def test_behind_a_proxy_the_forwarded_address_is_the_one_locked(alice, settings):
    """With one proxy configured, the client address it forwards is locked."""
    settings.PROXY_COUNT = 1
    fail(3, address=PROXY, HTTP_X_FORWARDED_FOR=HOME)

    locked = sign_in("alice", PASSWORD, address=PROXY, HTTP_X_FORWARDED_FOR=HOME)
    other = sign_in("alice", PASSWORD, address=PROXY, HTTP_X_FORWARDED_FOR=ELSEWHERE)

    assert locked.status_code == 429
    assert signed_in(other)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {HOME}


def test_behind_a_proxy_an_address_made_up_by_the_client_is_ignored(alice, settings):
    """Only the address our proxy appended counts, not one the client sent."""
    settings.PROXY_COUNT = 1
    fail(3, address=PROXY, HTTP_X_FORWARDED_FOR=f"{ELSEWHERE}, {HOME}")

    response = sign_in(
        "alice", PASSWORD, address=PROXY, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {HOME}"
    )

    assert response.status_code == 429


def test_without_a_proxy_a_forwarded_header_is_ignored(alice):
    """With no proxy configured, X-Forwarded-For cannot dodge the lock."""
    fail(3, HTTP_X_FORWARDED_FOR=ELSEWHERE)

    response = sign_in("alice", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.55")

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {HOME}


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("x7!kq", "This password is too short."),
        ("password123", "This password is too common."),
        ("20230616042", "This password is entirely numeric."),
        ("alice2024", "The password is too similar to the username."),
    ],
    ids=["too-short", "common", "numeric", "like-the-username"],
)
def test_weak_passwords_are_refused(alice, password, reason):
    """Django's password validators refuse short, common, numeric and familiar ones."""
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=alice)

    assert any(message.startswith(reason) for message in refused.value.messages)


def test_admin_password_change_refuses_a_weak_password(alice):
    """Changing one's password in the admin to a common one is refused."""
    client = Client()
    client.force_login(alice)

    response = client.post(
        reverse("admin:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "password123",
            "new_password2": "password123",
        },
    )

    assert response.status_code == 200
    assert "This password is too common." in response.text
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
