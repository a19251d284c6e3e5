"""The README's Python example runs as written against a real campaign."""

import re
from pathlib import Path

import pytest

from merit.clients.issuer import Issuer

from campaign.conftest import write_campaign

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.chain


def readme_python_blocks(name: str) -> list[str]:
    text = (ROOT / name).read_text("utf-8")
    return re.findall(r"```python\n(.*?)```", text, re.DOTALL)


@pytest.fixture
def drawn_campaign(tmp_path, admin, monkeypatch):
    """A campaign whose first edition is drawn but not airdropped yet."""
    from merit.campaign import load_campaign

    monkeypatch.setenv("MERIT_TEST_SECRET", "readme-secret-with-at-least-32-bytes-of-length")
    campaign = load_campaign(write_campaign(tmp_path / "campaign", name="readme", editions=1, supply=8))
    issuer = Issuer(campaign, admin, out_root=tmp_path / "out", deployments=tmp_path / "deployments", progress=False)
    issuer.plan()
    issuer.deploy()
    issuer.commit()
    issuer.draw()
    yield issuer
    issuer.close()


@pytest.mark.parametrize("readme", ["README.md", "README.zh-CN.md"])
def test_readme_example_runs(drawn_campaign, tmp_path, monkeypatch, capsys, readme):
    blocks = readme_python_blocks(readme)
    assert len(blocks) == 1, f"{readme} should have one Python example"
    namespace: dict = {}
    exec(compile(blocks[0], readme, "exec"), namespace)  # noqa: S102 - the README's own example
    show_learner = namespace["show_learner"]

    issuer = drawn_campaign
    winners = issuer.winners("xiazhi")
    published = issuer.published_round("xiazhi")
    winner = published.addresses[0][winners[0][0]]
    series, draw = issuer.record.address_of("BadgeSeries"), issuer.record.address_of("BadgeDraw")
    ipfs = issuer.output_dir / "metadata" / "ipfs"
    monkeypatch.chdir(tmp_path)

    show_learner(series, draw, winner, published.directory, ipfs)
    before = capsys.readouterr().out
    assert "entered: True, won: True" in before
    assert "claimed: False" in before
    assert f"sign and send to {draw}" in before

    issuer.issue()
    show_learner(series, draw, winner, published.directory, ipfs)
    after = capsys.readouterr().out
    assert "of 夏至 Summer Solstice, image ipfs://" in after
    assert "claimed: True" in after
    assert (tmp_path / "artwork-download.svg").read_bytes() == (issuer.campaign.resolve(issuer.campaign.editions[0].artwork)).read_bytes()
