"""The admin web console (/admin/) in a real headless browser: Debian's Chromium driven
by Selenium through Debian's chromedriver (no browser download). An operator logs in
with a token, finds a user, bans them, and the user's Telethon client is logged out.

Skipped, saying why, where Chromium, chromedriver or selenium is missing (.ci/run
installs them: `apt-get install chromium chromium-driver`, `pip install .[test]`).
"""

from __future__ import annotations

import shutil

import pytest

from .admin_http import create_token, start_admin_server
from .test_accounts import new_phone, sign_up
from .test_admin_api import next_request

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
# As this machine's notes say: without the background-networking flags Chromium tries
# Google's hosts at every start, and this network refuses them.
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                  "--no-first-run", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--window-size=1200,900")

try:
    import selenium  # noqa: F401

    SELENIUM = True
except ImportError:
    SELENIUM = False

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: apt-get install chromium chromium-driver"),
    pytest.mark.skipif(CHROMEDRIVER is None, reason="no chromedriver: apt-get install chromium-driver"),
    pytest.mark.skipif(not SELENIUM, reason="no selenium: pip install -e '.[test]'"),
]


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def console_server(tmp_path):
    server = start_admin_server(tmp_path / "data")
    yield server
    server.stop()


def test_an_operator_bans_a_user_from_the_console(console_server, browser, run, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait
    from telethon import errors

    server = console_server
    token = create_token(server, "console-test")
    phone = new_phone()
    client, user = run(sign_up(server, server.public_key()[0], phone, "Victor", "Vandal"))
    wait = WebDriverWait(browser, 15)
    try:
        browser.get(f"http://127.0.0.1:{server.http_port}/admin/")
        # A wrong token is refused and the console stays closed.
        browser.find_element(By.ID, "token-input").send_keys("mta_not-a-token")
        browser.find_element(By.ID, "login-button").click()
        wait.until(seen.text_to_be_present_in_element((By.ID, "status"), "not valid"))
        assert not browser.find_element(By.ID, "console").is_displayed()

        browser.find_element(By.ID, "token-input").send_keys(token)
        browser.find_element(By.ID, "login-button").click()
        wait.until(seen.visibility_of_element_located((By.ID, "console")))
        assert "console-test" in browser.find_element(By.ID, "whoami").text

        browser.find_element(By.ID, "search-input").send_keys(phone)
        browser.find_element(By.ID, "search-button").click()
        wait.until(seen.visibility_of_element_located((By.ID, "user-panel")))  # one match: opened at once
        assert browser.find_element(By.ID, "user-title").text == f"Victor Vandal ({user.id})"
        assert len(browser.find_elements(By.CSS_SELECTOR, "#sessions tbody tr")) == 1

        browser.find_element(By.ID, "ban-button").click()
        wait.until(seen.alert_is_present()).accept()  # "Ban this user? ..."
        wait.until(seen.text_to_be_present_in_element((By.ID, "status"), "Banned"))
        wait.until(lambda d: d.find_element(By.ID, "user-details").get_attribute("data-state") == "banned")
        assert browser.find_elements(By.CSS_SELECTOR, "#sessions tbody tr") == []
        assert browser.find_element(By.ID, "unban-button").is_displayed()
        browser.save_screenshot(str(tmp_path / "console-banned.png"))

        with pytest.raises(errors.AuthKeyUnregisteredError):
            run(next_request(client))

        # The token stays in this tab only: a reload logs straight back in.
        browser.refresh()
        wait.until(seen.visibility_of_element_located((By.ID, "console")))
    finally:
        async def disconnect():  # called outside a running loop, disconnect() would not be awaitable
            await client.disconnect()

        run(disconnect())


def test_an_operator_deletes_an_account_from_the_console(console_server, browser, run):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait
    from telethon import errors

    server = console_server
    token = create_token(server, "console-test")
    phone = new_phone()
    client, user = run(sign_up(server, server.public_key()[0], phone, "Dora", "Deleted"))
    wait = WebDriverWait(browser, 15)
    try:
        browser.get(f"http://127.0.0.1:{server.http_port}/admin/")
        browser.find_element(By.ID, "token-input").send_keys(token)
        browser.find_element(By.ID, "login-button").click()
        wait.until(seen.visibility_of_element_located((By.ID, "console")))
        browser.find_element(By.ID, "search-input").send_keys(phone)
        browser.find_element(By.ID, "search-button").click()
        wait.until(seen.visibility_of_element_located((By.ID, "user-panel")))

        browser.find_element(By.ID, "delete-button").click()
        wait.until(seen.alert_is_present()).accept()  # "Delete this account with its data? ..."
        wait.until(seen.text_to_be_present_in_element((By.ID, "status"), "Account deleted"))
        wait.until(lambda d: d.find_element(By.ID, "user-details").get_attribute("data-state") == "deleted")
        assert not browser.find_element(By.ID, "delete-button").is_displayed()
        assert browser.find_element(By.ID, "user-title").text == f"({user.id})"

        with pytest.raises(errors.AuthKeyUnregisteredError):
            run(next_request(client))
    finally:
        async def disconnect():
            await client.disconnect()

        run(disconnect())


def test_an_operator_changes_a_setting_from_the_console(console_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import Select, WebDriverWait

    from .admin_http import call

    server = console_server
    token = create_token(server, "console-test")
    wait = WebDriverWait(browser, 15)
    browser.get(f"http://127.0.0.1:{server.http_port}/admin/")
    browser.find_element(By.ID, "token-input").send_keys(token)
    browser.find_element(By.ID, "login-button").click()
    wait.until(seen.visibility_of_element_located((By.ID, "console")))
    browser.find_element(By.CSS_SELECTOR, '[data-tab="settings"]').click()
    wait.until(seen.visibility_of_element_located((By.ID, "setting-registration")))
    assert Select(browser.find_element(By.ID, "setting-registration")).first_selected_option.text == "open"

    browser.find_element(By.ID, "settings-save").click()
    wait.until(seen.text_to_be_present_in_element((By.ID, "status"), "Nothing changed"))
    Select(browser.find_element(By.ID, "setting-registration")).select_by_visible_text("invite")
    limit = browser.find_element(By.ID, "setting-max_connections_per_address")
    limit.clear()
    limit.send_keys("42")
    browser.find_element(By.ID, "settings-save").click()
    wait.until(seen.text_to_be_present_in_element((By.ID, "status"), "Saved"))
    settings = call(server, "GET", "/admin/api/settings", token=token)[1]["settings"]
    assert (settings["registration"], settings["max_connections_per_address"], settings["log_level"]) == (
        "invite", 42, "info")
    # A value the configuration refuses is refused here too, and said so.
    limit = browser.find_element(By.ID, "setting-max_connections_per_address")
    limit.clear()
    limit.send_keys("0")
    browser.find_element(By.ID, "settings-save").click()
    wait.until(seen.text_to_be_present_in_element((By.ID, "status"), "max_connections_per_address"))
    assert call(server, "GET", "/admin/api/settings", token=token)[1]["settings"]["max_connections_per_address"] == 42
