"""The issuer's campaign steps on a real chain: plan, deploy, commit, draw, issue, report."""

import json

import pytest

from merit.chain.deployment import record_path
from merit.clients.issuer import Issuer
from merit.clients.reporting import collect_report, write_campaign_report
from merit.errors import ChainError, EntrantFileError, RoleError
from merit.permutation import FeistelPermutation
from merit.report import AuditResult

pytestmark = pytest.mark.chain


@pytest.fixture
def issuer_for(tmp_path, admin):
    """Builds an Issuer of a campaign with output and records under tmp_path."""
    opened = []

    def build(campaign, account=admin, **options):
        issuer = Issuer(
            campaign,
            account,
            out_root=tmp_path / "out",
            deployments=tmp_path / "deployments",
            progress=False,
            **options,
        )
        opened.append(issuer)
        return issuer

    yield build
    for issuer in opened:
        issuer.close()


@pytest.mark.parametrize("randomness", ["vrf", "commit-reveal"])
def test_run_issues_every_winner(campaign_factory, issuer_for, randomness):
    campaign = campaign_factory(name=f"run-{randomness}", randomness=randomness, editions=2, supply=10)
    issuer = issuer_for(campaign, batch_size=4)

    statuses = issuer.run()

    assert [status.round_state for status in statuses] == ["seeded", "seeded"]
    assert [status.issued for status in statuses] == [10, 10]
    series, draw = issuer.series(), issuer.draw_contract()
    for edition in campaign.editions:
        round_id = issuer.on_chain_id(edition.id)
        stored = series.edition(round_id)
        assert (stored.allocated, stored.issued) == (10, 10)
        published = issuer.published_round(edition.id)
        seed = issuer.seed_of(round_id)
        for pool in published.manifest.pools:
            expected = FeistelPermutation(seed, pool.pool, pool.n).winners(pool.k)
            for rank, index in enumerate(expected):
                holder = published.addresses[pool.pool][int(index)]
                assert series.holds(round_id, holder)
                assert int(draw.nthWinner(round_id, pool.pool, rank)) == int(index)


def test_second_run_sends_nothing(campaign_factory, issuer_for, chain):
    campaign = campaign_factory(name="rerun", editions=2, supply=8)
    issuer = issuer_for(campaign)
    issuer.run()
    intents = len(issuer.journal.intents())
    head = chain.blocks.head.number

    issuer.run()

    assert len(issuer.journal.intents()) == intents
    assert chain.blocks.head.number == head


def test_plan_rejects_bad_rows_and_records_nothing(campaign_factory, issuer_for):
    campaign = campaign_factory(name="bad-rows")
    entrants = campaign.resolve(campaign.editions[0].entrants)
    entrants.write_text(entrants.read_text() + "X-1,0x0000000000000000000000000000000000000000,learners,,,500\n")
    issuer = issuer_for(campaign)

    with pytest.raises(EntrantFileError, match="line 44"):
        issuer.plan()

    assert issuer.journal.round(campaign.editions[0].id) is None


def test_plan_with_allowed_rejections_proceeds(campaign_factory, issuer_for):
    campaign = campaign_factory(name="allowed-rows")
    entrants = campaign.resolve(campaign.editions[0].entrants)
    entrants.write_text(entrants.read_text() + "X-1,0x0000000000000000000000000000000000000000,learners,,,500\n")
    issuer = issuer_for(campaign, allow_rejections=True)

    statuses = issuer.plan()

    assert statuses[0].rejected == 1
    assert statuses[0].entrants == {"new-users": 12, "learners": 30}


def test_commit_without_issuer_role_rejected_before_sending(campaign_factory, issuer_for, admin, stranger, chain):
    campaign = campaign_factory(name="no-role")
    issuer_for(campaign).deploy()
    outsider = issuer_for(campaign, account=stranger)
    outsider.plan()
    head = chain.blocks.head.number

    with pytest.raises(RoleError, match=f"Account {stranger.address} lacks ISSUER_ROLE"):
        outsider.commit()

    assert chain.blocks.head.number == head


def test_draw_waits_for_commit(campaign_factory, issuer_for):
    campaign = campaign_factory(name="draw-early")
    issuer = issuer_for(campaign)
    issuer.plan()
    issuer.deploy()

    issuer.draw()

    assert [status.round_state for status in issuer.status()] == ["none", "none"]


def test_changed_round_files_stop_the_commit(campaign_factory, issuer_for):
    campaign = campaign_factory(name="tampered")
    issuer = issuer_for(campaign)
    issuer.plan()
    issuer.deploy()
    pool_file = next(issuer.published_round(campaign.editions[0].id).directory.glob("pool-0-*.csv"))
    pool_file.write_text(pool_file.read_text().replace("0,0x", "0,0X", 1))

    with pytest.raises(Exception, match="pool-0"):
        issuer.commit()

    draw = issuer.draw_contract()
    assert int(draw.roundState(0)) == 0


def test_report_written(campaign_factory, issuer_for):
    campaign = campaign_factory(name="reported", editions=2, supply=6)
    issuer = issuer_for(campaign)
    issuer.run()

    paths = write_campaign_report(issuer, AuditResult(passed=True))

    names = sorted(path.name for path in paths)
    assert names == ["report.csv", "report.en.html", "report.json", "report.zh-CN.html"]
    data = json.loads((issuer.output_dir / "report" / "report.json").read_text())
    assert [edition["round_state"] for edition in data["editions"]] == ["seeded", "seeded"]
    report = collect_report(issuer, AuditResult(passed=True))
    assert sum(edition.issued for edition in report.editions) == 12
    assert {step.step for step in report.gas} == {"deploy", "commit", "draw", "issue"}
    # Issue times are mapped back to the campaign calendar of 2022.
    assert all(issue.at.year == 2022 for edition in report.editions for issue in edition.timeline)


def test_series_of_another_campaign_rejected(campaign_factory, issuer_for, tmp_path, hmac_secret):
    from merit.campaign import load_campaign

    from .conftest import write_campaign

    first = campaign_factory(name="shared")
    issuer_for(first).run()
    twin_file = write_campaign(tmp_path / "twin", name="shared-twin")
    twin_file.write_text(twin_file.read_text().replace("Summer Solstice", "Another Term"))
    original = record_path("shared", tmp_path / "deployments")
    record_path("shared-twin", tmp_path / "deployments").write_text(
        original.read_text().replace('"campaign": "shared"', '"campaign": "shared-twin"')
    )
    twin = issuer_for(load_campaign(twin_file))
    twin.plan()

    with pytest.raises(ChainError, match="has edition 0 named '夏至 Summer Solstice'"):
        twin.commit()


def test_revoke_and_recover(campaign_factory, issuer_for, chain):
    campaign = campaign_factory(name="after-care", editions=1, supply=6)
    issuer = issuer_for(campaign)
    issuer.run()
    series = issuer.series()
    holders = [badge.address for badge in issuer.journal.badges("xiazhi")]
    revoked, lost = holders[0], holders[1]
    fresh = "0x00000000000000000000000000000000000A11CE"

    issuer.revoke("xiazhi", revoked, 7)
    assert not series.holds(0, revoked)
    with pytest.raises(ChainError, match="holds no badge of xiazhi"):
        issuer.revoke("xiazhi", revoked, 7)

    executable_at = issuer.propose_recovery(lost, fresh)
    with pytest.raises(ChainError, match="may execute from"):
        issuer.execute_recovery(lost)
    # A block at that time, not only a pending timestamp: the SDK estimates the call first, and
    # anvil estimates against the latest block.
    chain.mine(timestamp=executable_at + 1)
    issuer.execute_recovery(lost)
    assert series.holds(0, fresh)
    assert not series.holds(0, lost)
    assert series.edition(0).revoked == 1


def test_revoke_rejects_bad_values(campaign_factory, issuer_for):
    campaign = campaign_factory(name="bad-revoke", editions=1, supply=6)
    issuer = issuer_for(campaign)
    issuer.run()
    with pytest.raises(ValueError, match="Reason code 70000 is outside 0..65535"):
        issuer.revoke("xiazhi", issuer.account.address, 70000)
    with pytest.raises(ValueError, match="Invalid holder address: 'nobody' is not an address"):
        issuer.revoke("xiazhi", "nobody", 1)
