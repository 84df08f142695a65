"""Configuration: defaults < TOML file < MTSERVER_* environment < command-line overrides."""

import pytest

from server.config import ENV_VARIABLES, FIELDS, Config, ConfigError, env_name, load_config, parse_http_address


def write(tmp_path, text: str):
    path = tmp_path / "mtserver.toml"
    path.write_text(text)
    return path


def test_defaults_when_nothing_is_configured():
    config = load_config(None, {}, {})
    assert config == Config()
    assert (config.host, config.port, config.data_dir, config.dc_id) == ("0.0.0.0", 8443, "./data", 2)
    assert config.api_id_allowlist == [] and config.idle_timeout == 300 and config.max_connections == 10000
    assert config.log_format == "auto"


def test_public_address_defaults_to_loopback_for_a_wildcard_host():
    config = load_config(None, {}, {})
    assert (config.public_host, config.public_port) == ("127.0.0.1", 8443)
    assert load_config(None, {}, {"host": "::"}).public_host == "127.0.0.1"


def test_public_address_follows_a_specific_listening_address():
    config = load_config(None, {"MTSERVER_HOST": "10.1.2.3", "MTSERVER_PORT": "443"}, {})
    assert (config.public_host, config.public_port) == ("10.1.2.3", 443)


def test_explicit_public_address_wins_over_the_listening_one():
    config = load_config(None, {}, {"host": "0.0.0.0", "port": 8443, "public_host": "mt.example.org",
                                    "public_port": 443})
    assert (config.public_host, config.public_port) == ("mt.example.org", 443)


def test_file_then_environment_then_overrides_take_precedence(tmp_path):
    path = write(tmp_path, 'host = "10.0.0.1"\nport = 1000\ndata_dir = "/srv/file"\nidle_timeout = 10\n')
    env = {"MTSERVER_HOST": "10.0.0.2", "MTSERVER_PORT": "2000"}
    config = load_config(path, env, {"port": "3000"})
    assert config.port == 3000  # override beats environment and file
    assert config.host == "10.0.0.2"  # environment beats file
    assert config.data_dir == "/srv/file" and config.idle_timeout == 10.0  # file beats defaults
    assert config.dc_id == 2


def test_environment_text_is_parsed_into_typed_values():
    config = load_config(None, {
        "MTSERVER_API_ID_ALLOWLIST": "611335, 2040,",
        "MTSERVER_IDLE_TIMEOUT": "2.5",
        "MTSERVER_LOG_FORMAT": "JSON",
        "MTSERVER_MAX_CONNECTIONS": "50",
        "MTSERVER_DC_ID": "3",
    }, {})
    assert config.api_id_allowlist == [611335, 2040]
    assert config.idle_timeout == 2.5 and config.log_format == "json"
    assert config.max_connections == 50 and config.dc_id == 3


def test_empty_environment_value_clears_an_optional_setting(tmp_path):
    path = write(tmp_path, 'public_host = "mt.example.org"\napi_id_allowlist = [1]\n')
    config = load_config(path, {"MTSERVER_PUBLIC_HOST": "", "MTSERVER_API_ID_ALLOWLIST": ""}, {})
    assert config.public_host == "127.0.0.1" and config.api_id_allowlist == []


def test_non_numeric_port_in_the_environment_names_the_variable():
    with pytest.raises(ConfigError) as info:
        load_config(None, {"MTSERVER_PORT": "abc"}, {})
    assert str(info.value) == "MTSERVER_PORT: expected an int in 1..65535, got 'abc'"
    assert (info.value.field, info.value.source) == ("port", "MTSERVER_PORT")


@pytest.mark.parametrize("port", [0, 65536, -1])
def test_port_outside_1_to_65535_is_rejected_from_every_source(tmp_path, port):
    sources = [
        (lambda: load_config(write(tmp_path, f"port = {port}\n"), {}, {}), "mtserver.toml: port"),
        (lambda: load_config(None, {"MTSERVER_PORT": str(port)}, {}), "MTSERVER_PORT"),
        (lambda: load_config(None, {}, {"port": port}), "--port"),
        (lambda: load_config(None, {}, {"public_port": str(port)}), "--public-port"),
    ]
    for load, where in sources:
        with pytest.raises(ConfigError, match="(?i)port") as info:
            load()
        assert where in str(info.value) and "1..65535" in str(info.value)
        assert info.value.field in ("port", "public_port")


def test_wrong_type_in_the_file_names_the_file_and_key(tmp_path):
    for text in ('port = "8443"\n', "port = true\n", "port = 8443.0\n"):
        with pytest.raises(ConfigError, match=r"mtserver\.toml: port: expected an int") as info:
            load_config(write(tmp_path, text), {}, {})
        assert info.value.field == "port"


def test_unknown_key_in_the_file_is_an_error_with_a_suggestion(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown key 'prot' \(did you mean 'port'\?\)") as info:
        load_config(write(tmp_path, "prot = 1\n"), {}, {})
    assert info.value.field == "prot"


def test_tables_are_not_settings(tmp_path):
    with pytest.raises(ConfigError, match="unknown key 'server'"):
        load_config(write(tmp_path, "[server]\nport = 1\n"), {}, {})


def test_unknown_mtserver_variable_is_an_error_but_other_variables_are_ignored():
    with pytest.raises(ConfigError, match=r"MTSERVER_PROT: unknown setting \(did you mean 'MTSERVER_PORT'\?\)"):
        load_config(None, {"MTSERVER_PROT": "1"}, {})
    assert load_config(None, {"PATH": "/bin", "PORT": "x", "mtserver_port": "x"}, {}).port == 8443


@pytest.mark.parametrize(("env", "field"), [
    ({"MTSERVER_API_ID_ALLOWLIST": "1,x"}, "api_id_allowlist"),
    ({"MTSERVER_API_ID_ALLOWLIST": "1,-5"}, "api_id_allowlist"),
    ({"MTSERVER_IDLE_TIMEOUT": "0"}, "idle_timeout"),
    ({"MTSERVER_IDLE_TIMEOUT": "nan"}, "idle_timeout"),
    ({"MTSERVER_MAX_CONNECTIONS": "0"}, "max_connections"),
    ({"MTSERVER_LOG_FORMAT": "xml"}, "log_format"),
    ({"MTSERVER_DC_ID": "0"}, "dc_id"),
    ({"MTSERVER_DC_ID": "40000"}, "dc_id"),
    ({"MTSERVER_COUNTRY": "Germany"}, "country"),
    ({"MTSERVER_APP_CONFIG_FILE": "/nonexistent.json"}, "app_config_file"),
    ({"MTSERVER_LIMITS_EXEMPT": "10.0.0.0/33"}, "limits_exempt"),
    ({"MTSERVER_HOST": " "}, "host"),
    ({"MTSERVER_DATA_DIR": ""}, "data_dir"),
])
def test_bad_environment_values_name_the_field(env, field):
    with pytest.raises(ConfigError) as info:
        load_config(None, env, {})
    assert info.value.field == field and str(info.value).startswith(env_name(field) + ": expected")


def test_bad_allowlist_in_the_file_is_rejected(tmp_path):
    with pytest.raises(ConfigError, match="api_id_allowlist: expected a list of positive ints"):
        load_config(write(tmp_path, 'api_id_allowlist = "1,2"\n'), {}, {})
    assert load_config(write(tmp_path, "api_id_allowlist = [5, 6]\n"), {}, {}).api_id_allowlist == [5, 6]


def test_config_file_can_be_named_by_mtserver_config(tmp_path):
    path = write(tmp_path, "port = 1234\n")
    assert load_config(None, {"MTSERVER_CONFIG": str(path)}, {}).port == 1234
    assert load_config(write(tmp_path, "port = 99\n"), {"MTSERVER_CONFIG": "/nonexistent"}, {}).port == 99


def test_missing_or_malformed_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the config file") as info:
        load_config(tmp_path / "absent.toml", {}, {})
    assert info.value.field is None
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "port = \n"), {}, {})


def test_none_overrides_are_skipped_and_unknown_overrides_rejected():
    assert load_config(None, {"MTSERVER_PORT": "9000"}, {"port": None, "host": None}).port == 9000
    with pytest.raises(ConfigError, match="--colour: unknown setting"):
        load_config(None, {}, {"colour": "red"})


def test_env_variables_list_every_field_and_each_is_read(tmp_path):
    app_config = tmp_path / "app.json"
    app_config.write_text('{"fragment_prefixes": ["999"]}')
    assert set(ENV_VARIABLES) == {"MTSERVER_CONFIG"} | {"MTSERVER_" + field.upper() for field in FIELDS}
    samples = {"host": "10.0.0.9", "port": "1", "public_host": "h.example", "public_port": "2",
               "data_dir": "/d", "database": "postgresql://mt@db/mt", "api_id_allowlist": "7", "idle_timeout": "3",
               "max_connections": "4", "log_format": "console", "log_level": " Debug", "dc_id": "5",
               "redis": "redis://r:6379/0",
               "code_sender": "fixed:12345", "registration": "invite", "registration_allowlist": "1555*, 44",
               "service_name": " Ops ", "update_log_days": "9", "chat_size_max": "50", "media_url": "s3://k:s@minio:9000/media",
               "country": "de", "app_config_file": str(app_config),
               "auth_key_unused_days": "3", "auth_keys_per_minute": "0",
               "limits_exempt": "10.0.0.0/8, ::1", "send_code_per_address_per_hour": "7", "send_code_per_hour": "70",
               "login_email": "Required", "email_sender": "smtp://u:p@mail:587", "email_from": "ops@h.example",
               "redis_prefix": "blue:",
               "ws_port": "8080", "tls_cert": "/tls/cert.pem", "tls_key": "/tls/key.pem", "http": " [::1]:9090 ",
               "max_connections_per_address": "9", "frame_timeout": "4", "buffer_budget_mb": "64",
               "capture_dir": " /cap ", "capture_split": "auth_key", "capture_rotate_bytes": "4096",
               "capture_keep_files": "0", "capture_users": "1000001, 5", "capture_phones": "+1555, 44",
               "capture_auth_keys": "-7, 0x10", "capture_methods": "messages.*, auth.signIn",
               "capture_mask_text": "yes", "capture_redact": "off"}
    assert set(samples) == set(FIELDS)
    config = load_config(None, {env_name(field): text for field, text in samples.items()}, {})
    assert config == Config(host="10.0.0.9", port=1, public_host="h.example", public_port=2, data_dir="/d",
                            database="postgresql://mt@db/mt", api_id_allowlist=[7], idle_timeout=3.0,
                            redis="redis://r:6379/0", code_sender="fixed:12345", registration="invite",
                            registration_allowlist=["1555*", "44"], media_url="s3://k:s@minio:9000/media", redis_prefix="blue:",
                            max_connections=4, log_format="console", log_level="debug", dc_id=5, service_name="Ops",
                            update_log_days=9, chat_size_max=50, country="DE", app_config_file=str(app_config),
                            auth_key_unused_days=3, auth_keys_per_minute=0,
                            limits_exempt=["10.0.0.0/8", "::1"], send_code_per_address_per_hour=7,
                            send_code_per_hour=70, login_email="required", email_sender="smtp://u:p@mail:587",
                            email_from="ops@h.example",
                            ws_port=8080, tls_cert="/tls/cert.pem", tls_key="/tls/key.pem", http="[::1]:9090",
                            max_connections_per_address=9, frame_timeout=4.0, buffer_budget_mb=64,
                            capture_dir="/cap", capture_split="auth_key", capture_rotate_bytes=4096,
                            capture_keep_files=0, capture_users=[1000001, 5], capture_phones=["+1555", "44"],
                            capture_auth_keys=[-7, 16], capture_methods=["messages.*", "auth.signIn"],
                            capture_mask_text=True, capture_redact=False)


def test_empty_allowlist_accepts_any_app_and_a_list_only_its_members():
    assert Config().accepts_api_id(12345)
    config = Config(api_id_allowlist=[1, 2])
    assert config.accepts_api_id(2) and not config.accepts_api_id(3)


def test_database_is_a_postgresql_or_sqlite_url_or_nothing(tmp_path):
    assert load_config(None, {}, {}).database is None
    assert load_config(None, {"MTSERVER_DATABASE": ""}, {}).database is None
    url = "postgres://mt@db:5432/mt"
    assert load_config(None, {"MTSERVER_DATABASE": f" {url} "}, {}).database == url
    assert load_config(write(tmp_path, 'database = "sqlite:///srv/mt.db"\n'), {}, {}).database == "sqlite:///srv/mt.db"
    assert load_config(None, {}, {"database": "postgresql://a@b/c"}).database == "postgresql://a@b/c"
    for bad in ("mysql://root@db/mt", "postgresql://", "sqlite:///", "data.db"):
        with pytest.raises(ConfigError, match="MTSERVER_DATABASE: expected a postgresql://"):
            load_config(None, {"MTSERVER_DATABASE": bad}, {})


def test_a_bad_database_url_is_reported_without_its_password():
    with pytest.raises(ConfigError) as info:
        load_config(None, {}, {"database": "mysql://root:hunter2@db/mt"})
    assert "hunter2" not in str(info.value) and "root:***@db" in str(info.value)


@pytest.mark.parametrize("field,text", [("code_sender", "pigeon"), ("code_sender", "fixed:1"),
                                        ("redis", "http://x"), ("redis", "redis://r?frobnicate=1"),
                                        ("redis", "redis://r:port"), ("registration", "closed")])
def test_bad_account_settings_name_their_variable(field, text):
    with pytest.raises(ConfigError, match=env_name(field)):
        load_config(None, {env_name(field): text}, {})


def test_media_url_is_a_directory_or_an_s3_bucket():
    assert load_config(None, {}, {}).media_url is None
    assert load_config(None, {"MTSERVER_MEDIA_URL": "file:///srv/media"}, {}).media_url == "file:///srv/media"
    assert load_config(None, {}, {"media_url": "s3://k:s@h:9000/b"}).media_url == "s3://k:s@h:9000/b"
    with pytest.raises(ConfigError, match="MTSERVER_MEDIA_URL: expected a file:///dir or s3://") as error:
        load_config(None, {"MTSERVER_MEDIA_URL": "ftp://user:pw@host/x"}, {})
    assert "pw" not in str(error.value)


def test_email_settings_are_checked_and_hide_the_smtp_password():
    with pytest.raises(ConfigError, match="MTSERVER_LOGIN_EMAIL"):
        load_config(None, {"MTSERVER_LOGIN_EMAIL": "sometimes"}, {})
    with pytest.raises(ConfigError) as caught:
        load_config(None, {"MTSERVER_EMAIL_SENDER": "smtp://user:hunter2@mail:notaport"}, {})
    assert "hunter2" not in str(caught.value) and "MTSERVER_EMAIL_SENDER" in str(caught.value)
    with pytest.raises(ConfigError, match="MTSERVER_EMAIL_FROM"):
        load_config(None, {"MTSERVER_EMAIL_FROM": "nobody"}, {})
    assert load_config(None, {}, {}).login_email == "off"


def test_tls_needs_the_web_port_and_both_files():
    assert load_config(None, {"MTSERVER_WS_PORT": "8080"}, {}).ws_port == 8080
    assert load_config(None, {}, {}).ws_port is None
    with pytest.raises(ConfigError, match="MTSERVER_TLS_CERT: .*MTSERVER_WS_PORT"):
        load_config(None, {"MTSERVER_TLS_CERT": "/c.pem", "MTSERVER_TLS_KEY": "/k.pem"}, {})
    with pytest.raises(ConfigError, match="MTSERVER_TLS_KEY"):
        load_config(None, {"MTSERVER_WS_PORT": "8080", "MTSERVER_TLS_CERT": "/c.pem"}, {})


def test_http_is_an_address_with_a_port_or_off():
    assert load_config(None, {}, {}).http is None
    assert load_config(None, {"MTSERVER_HTTP": "127.0.0.1:9090"}, {}).http == "127.0.0.1:9090"
    assert parse_http_address("0.0.0.0:9090") == ("0.0.0.0", 9090)
    assert parse_http_address("[::1]:9090") == ("::1", 9090)
    assert parse_http_address("localhost:1") == ("localhost", 1)
    for bad in ("9090", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "::1:9090", ":9090", "host:port"):
        with pytest.raises(ConfigError, match="MTSERVER_HTTP: expected HOST:PORT"):
            load_config(None, {"MTSERVER_HTTP": bad}, {})


def test_log_level_is_one_of_the_four_levels():
    assert load_config(None, {}, {}).log_level == "info"
    assert load_config(None, {"MTSERVER_LOG_LEVEL": "WARNING"}, {}).log_level == "warning"
    with pytest.raises(ConfigError, match="MTSERVER_LOG_LEVEL: expected one of 'debug', 'info', 'warning', 'error'"):
        load_config(None, {"MTSERVER_LOG_LEVEL": "verbose"}, {})
