"""The admin in each staff member's language (programs/staff/language.py)."""

import pytest
from django.test import Client
from django.urls import clear_script_prefix, reverse, set_script_prefix

from programs.models import Role, StaffLanguage
from programs.staff.language import SESSION_KEY

from . import factories as f

pytestmark = pytest.mark.django_db

CHINESE_HEADER = "talentzone 工作人员后台"
ENGLISH_HEADER = "Talentzone staff admin"
PASSWORD = "a-long-enough-password-1"


@pytest.fixture
def editor():
    user = f.make_staff("li", Role.EDITOR)
    user.set_password(PASSWORD)
    user.save()
    return user


def signed_in(user, **headers):
    client = Client(**headers)
    client.force_login(user)
    return client


def test_the_admin_follows_the_browsers_language_by_default(editor):
    """A staff member who chose nothing reads the admin in their browser's language."""
    chinese = signed_in(editor, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    english = signed_in(editor, HTTP_ACCEPT_LANGUAGE="en-GB")

    assert CHINESE_HEADER in chinese.get(reverse("admin:index")).text
    assert ENGLISH_HEADER in english.get(reverse("admin:index")).text


def test_the_switch_keeps_the_choice_on_the_account_and_goes_back(editor):
    """Choosing Chinese in the header stays chosen, whatever the browser says."""
    client = signed_in(editor, HTTP_ACCEPT_LANGUAGE="en")
    back_to = reverse("admin:programs_project_changelist")

    response = client.post(
        reverse("admin-language"), {"language": "zh-hans", "next": back_to}
    )

    assert response.status_code == 302
    assert response["Location"] == back_to
    assert StaffLanguage.objects.get(user=editor).language == "zh-hans"
    page = client.get(back_to)
    assert CHINESE_HEADER in page.text
    assert page["Content-Language"] == "zh-hans"


def test_the_choice_returns_with_the_next_sign_in(editor):
    """A new session, on another browser, starts in the language chosen before."""
    StaffLanguage.objects.create(user=editor, language="zh-hans")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post(reverse("admin:login"), {"username": "li", "password": PASSWORD})

    assert client.session[SESSION_KEY] == "zh-hans"
    assert CHINESE_HEADER in client.get(reverse("admin:index")).text


def test_the_sign_in_page_offers_the_switch_too(client):
    """Before signing in, the switch changes the sign-in page's language."""
    login = reverse("admin:login")
    assert 'name="language" value="zh-hans"' in client.get(login).text

    client.post(reverse("admin-language"), {"language": "zh-hans", "next": login})

    assert "登录" in client.get(login).text
    assert not StaffLanguage.objects.exists()


def test_the_public_site_keeps_the_language_of_its_address(editor):
    """A staff member's Chinese admin leaves / in English and /zh-hans/ Chinese."""
    StaffLanguage.objects.create(user=editor, language="zh-hans")
    client = signed_in(editor)
    client.post(reverse("admin-language"), {"language": "zh-hans"})

    assert client.get("/")["Content-Language"] == "en"
    assert client.get("/zh-hans/")["Content-Language"] == "zh-hans"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_the_switch_goes_back_only_to_this_site(editor, next_url):
    """A next address elsewhere is ignored: the switch returns to the admin."""
    client = signed_in(editor)

    response = client.post(
        reverse("admin-language"), {"language": "en", "next": next_url}
    )

    assert response["Location"] == reverse("admin:index")


def test_the_switch_refuses_a_get_and_ignores_an_unknown_language(editor):
    """Only a POST switches, and only to one of the site's languages."""
    client = signed_in(editor)

    assert client.get(reverse("admin-language")).status_code == 405
    client.post(reverse("admin-language"), {"language": "fr"})
    assert not StaffLanguage.objects.exists()


def test_the_chinese_admin_names_records_in_chinese(editor):
    """Filters, pickers and messages name a record in the admin's language,
    falling back to the other one where it has no name in it."""
    f.make_district(slug="qingpu", name_en="Qingpu District", name_zh="青浦区")
    f.make_district(slug="elsewhere", name_en="English only", name_zh="")
    f.make_expert(name_en="Wang Ming", name_zh="王明")
    superuser = f.make_staff("root", is_superuser=True)
    chinese = signed_in(superuser, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    english = signed_in(superuser, HTTP_ACCEPT_LANGUAGE="en")
    changelist = reverse("admin:programs_expert_changelist")

    in_chinese = chinese.get(changelist).text
    assert "青浦区" in in_chinese and "English only" in in_chinese
    assert "Qingpu District" not in in_chinese
    in_english = english.get(changelist).text
    assert "Qingpu District" in in_english and "青浦区" not in in_english


def test_the_admin_keeps_its_language_under_a_script_prefix(editor):
    """Served under a prefix (/talentzone/admin/), the admin is still the
    admin: in the language the staff member chose."""
    client = signed_in(editor, HTTP_ACCEPT_LANGUAGE="en")
    client.post(reverse("admin-language"), {"language": "zh-hans", "next": "/admin/"})

    # As the WSGI handler does for such a request; the test client does not.
    set_script_prefix("/talentzone/")
    try:
        page = client.get("/admin/", SCRIPT_NAME="/talentzone")
    finally:
        clear_script_prefix()

    assert page.status_code == 200
    assert CHINESE_HEADER in page.text


def test_the_chinese_admin_names_the_sections_of_other_apps_in_chinese():
    """Sign-in lockouts (django-axes) and the job queue (the tasks database
    backend) ship no Chinese: ours fills in (programs/third_party.py)."""
    admin = f.make_staff("root", is_superuser=True)
    client = signed_in(admin, HTTP_ACCEPT_LANGUAGE="zh-CN")

    index = client.get(reverse("admin:index")).text
    attempts = client.get(reverse("admin:axes_accessattempt_changelist")).text
    jobs = client.get(
        reverse("admin:django_tasks_database_dbtaskresult_changelist")
    ).text

    assert "登录锁定" in index and "任务队列" in index
    assert "Axes" not in index and "Tasks Database Backend" not in index
    assert "登录尝试" in attempts and "尝试时间" in attempts
    assert "任务结果" in jobs and "待运行" in jobs
