"""The partner clients in clients/ (``make client``): generated from the API as it is now, installable, and able to
walk a whole trade against a live server exactly as their README shows it."""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from config.management.commands.client import write_typescript_types
from tests.fixtures import unavailable

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = ROOT / "clients"
PYTHON_CLIENT = CLIENTS / "python"
TYPESCRIPT = CLIENTS / "typescript"
# What building or installing leaves beside the generated files (the generated .gitignore names them).
LEFTOVERS = re.compile(r"(^|/)(__pycache__|build|dist|\.ruff_cache|\.mypy_cache|[^/]+\.egg-info)(/|$)")
STALE = "the committed client is not what `make client` generates from the API now: run `make client` and commit"


def files_under(folder: Path) -> dict[str, Path]:
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and not LEFTOVERS.search(relative):
            found[relative] = path
    return found


def differences(committed: Path, generated: Path) -> list[str]:
    """What differs between two trees of files, byte for byte: names missing on either side, then changed files."""
    ours, theirs = files_under(committed), files_under(generated)
    found = [f"only committed: {name}" for name in sorted(set(ours) - set(theirs))]
    found += [f"not committed: {name}" for name in sorted(set(theirs) - set(ours))]
    found += [
        f"differs: {name}"
        for name in sorted(set(ours) & set(theirs))
        if not filecmp.cmp(ours[name], theirs[name], shallow=False)
    ]
    return found


def test_differences_sees_a_changed_added_and_removed_file(tmp_path: Path) -> None:
    for side in ("a", "b"):
        (tmp_path / side / "pkg").mkdir(parents=True)
        (tmp_path / side / "pkg" / "same.py").write_text("x = 1\n")
        (tmp_path / side / "pkg" / "__pycache__").mkdir()
        (tmp_path / side / "pkg" / "__pycache__" / f"{side}.pyc").write_bytes(b"\0")
    (tmp_path / "a" / "pkg" / "changed.py").write_text("x = 1\n")
    (tmp_path / "b" / "pkg" / "changed.py").write_text("x = 2\n")
    (tmp_path / "a" / "old.py").write_text("")
    (tmp_path / "b" / "new.py").write_text("")
    assert differences(tmp_path / "a", tmp_path / "b") == [
        "only committed: old.py",
        "not committed: new.py",
        "differs: pkg/changed.py",
    ]


def test_the_committed_document_and_python_client_are_what_make_client_generates(tmp_path: Path) -> None:
    call_command("client", output=tmp_path, no_typescript=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert (tmp_path / "openapi.yaml").read_bytes() == (CLIENTS / "openapi.yaml").read_bytes(), STALE
    assert differences(PYTHON_CLIENT, tmp_path / "python") == [], STALE
    assert (tmp_path / "python" / "ichiba_client" / "api" / "orders" / "orders_place.py").is_file()


def test_the_python_client_installs_with_pip_and_imports(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(PYTHON_CLIENT, source, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
    target = tmp_path / "site"
    # Offline, with this virtualenv's setuptools: the client's own dependencies (httpx, attrs) are already here.
    install = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index"]
    run = subprocess.run([*install, "--target", str(target), str(source)], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert (target / "ichiba_client" / "py.typed").is_file(), "the package says it is typed"
    probe = (
        "import ichiba_client, ichiba_client.api.orders.orders_place as place; "
        "print(ichiba_client.__file__); print(place.sync.__annotations__['return'])"
    )
    imported = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(target)},
    )
    assert imported.returncode == 0, imported.stderr
    where, returns = imported.stdout.splitlines()
    assert Path(where).is_relative_to(target)
    assert "PlacedOrder" in returns and "Problem" in returns


def readme_python_blocks() -> list[str]:
    readme = (PYTHON_CLIENT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```$", readme, flags=re.M | re.S)


def test_the_readme_walk_type_checks_against_the_client(tmp_path: Path) -> None:
    """The README's code is typed as a partner's would be: mypy --strict on its python blocks, with the client's
    own types (a path parameter typed wrong in the document would show here, as a version's number did)."""
    walk = tmp_path / "readme_walk.py"
    walk.write_text("\n\n".join(readme_python_blocks()), encoding="utf-8")
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\npython_version = 3.11\nstrict = True\nfollow_imports = silent\n", encoding="utf-8")
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(config), "--cache-dir", str(tmp_path / "cache"), str(walk)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(PYTHON_CLIENT)},
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def walk_the_readme(seller: Any, buyer: Any, url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run each ``python`` block of clients/python/README.md, in order, in one namespace, against the market at
    ``url`` with the two parties' keys; returns the namespace (what the walk made)."""
    blocks = readme_python_blocks()
    assert len(blocks) >= 6, "the README's walk is its python blocks"
    monkeypatch.syspath_prepend(str(PYTHON_CLIENT))
    monkeypatch.setenv("ICHIBA_URL", url)
    monkeypatch.setenv("ICHIBA_SELLER_KEY", seller.api_key)
    monkeypatch.setenv("ICHIBA_BUYER_KEY", buyer.api_key)
    namespace: dict[str, Any] = {"__name__": "readme"}
    for number, block in enumerate(blocks, 1):
        exec(compile(block, f"clients/python/README.md, python block {number}", "exec"), namespace)  # noqa: S102
    return namespace


def assert_the_trade_settled(walked: dict[str, Any], seller: Any, buyer: Any) -> None:
    """What the walk did, read from the market's own rows rather than through the client."""
    from settlement.models import Download, Settlement

    settlement = Settlement.objects.select_related("trade", "contract").get(pk=walked["settlement"].id)
    assert settlement.status == Settlement.Status.CAPTURED
    assert settlement.trade.quantity == 2 and settlement.trade.price == 12_000
    assert str(settlement.contract.buyer_id) == buyer.id and str(settlement.contract.seller_id) == seller.id
    assert settlement.amount == walked["quote"].amount_incl_tax
    assert Download.objects.filter(entitlement__settlement=settlement, completed=True).count() == 1
    assert walked["data"].decode().startswith("timestamp,strain\n")


def test_the_readme_walks_the_whole_trade_through_the_client_against_a_live_server(
    seller: Any, buyer: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Publish, offer, buy, settle, download, as the README shows it. Tasks run in the live server's thread when
    their transaction commits (Celery is eager here), so the upload is validated and the settlement authorised and
    captured by the market's own pipeline."""
    walked = walk_the_readme(seller, buyer, live_server.url, monkeypatch)
    assert_the_trade_settled(walked, seller, buyer)
    assert "2 seats at 12000 JPY" in capsys.readouterr().out


def test_the_readme_walk_settles_on_real_workers(
    on_broker: None, workers: list[Any], seller: Any, buyer: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same walk with the web server publishing its tasks to Redis and a Celery worker on PostgreSQL validating
    the upload and authorising and capturing the payment, as in production: the README's waits are what make it
    work."""
    from tests.integration.workers import start_worker

    workers.append(start_worker(queues="validation,profiling,settlement,webhooks,default", name="client-walk"))
    walked = walk_the_readme(seller, buyer, live_server.url, monkeypatch)
    assert_the_trade_settled(walked, seller, buyer)


def test_the_typescript_types_are_what_make_client_generates_and_type_check(tmp_path: Path) -> None:
    node = shutil.which("node")
    tools = TYPESCRIPT / "node_modules" / ".bin"
    if node is None or not (tools / "tsc").exists():
        unavailable("needs node and clients/typescript's packages: install node, then `npm ci` in clients/typescript")
    generated = tmp_path / "schema.d.ts"
    # From the committed document, which the test above holds to the API; by the command's own function.
    assert write_typescript_types(CLIENTS / "openapi.yaml", generated)
    assert generated.read_bytes() == (TYPESCRIPT / "schema.d.ts").read_bytes(), STALE
    checked = subprocess.run(
        [str(tools / "tsc"), "--noEmit", "--project", "tsconfig.json"],
        cwd=TYPESCRIPT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_document_types_what_a_generated_client_reads_and_sends(anonymous: Any) -> None:
    """config/api/openapi.py: what drf-spectacular leaves loose, a typed client would get wrong."""
    import yaml

    document = yaml.safe_load(anonymous.get("/api/schema/").content)
    schemas = document["components"]["schemas"]
    # A response field with a default is always rendered: required, so not "possibly missing" in the client.
    assert {"status", "captured_at", "refund_reason"} <= set(schemas["Settlement"]["required"])
    assert {"status", "published_at"} <= set(schemas["DatasetDetail"]["required"])
    # ... unless its serializer leaves it out at times: a replay's secret, the buyer's network details to a seller.
    assert "secret" not in schemas["WebhookEndpointWithSecret"]["required"]
    assert not {"client_address", "user_agent"} & set(schemas["Download"]["required"])
    assert not {"contract", "settlement"} & set(schemas["Trade"]["required"])
    # A default the field refuses when sent ("" is not a terms hash) is not offered to clients that send defaults.
    order = schemas["OrderCreateRequest"]["properties"]
    assert "default" not in order["accepted_terms_sha256"] and order["time_in_force"]["default"] == "gtc"
    assert schemas["DatasetCreateRequest"]["properties"]["description"]["default"] == ""
    # A request serializer named for a request keeps one "Request".
    assert {"QuoteRequest", "TokenRequest"} <= set(schemas) and not [s for s in schemas if s.endswith("RequestRequest")]
    quote = document["paths"]["/api/v1/offerings/{offering_id}/quote"]["post"]["requestBody"]["content"]
    assert quote["application/json"]["schema"] == {"$ref": "#/components/schemas/QuoteRequest"}
