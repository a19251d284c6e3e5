"""Deploying a campaign's contracts: records, roles, and doing nothing the second time."""

import json

import pytest

from merit.chain.contracts import instance_at
from merit.chain.deployment import deploy_campaign, load_record, record_path, verify_record
from merit.chain.transactions import JournaledSender
from merit.errors import DeploymentError
from merit.journal import Journal

pytestmark = pytest.mark.chain


@pytest.fixture
def deployed(campaign_factory, tmp_path, admin, issuer):
    campaign = campaign_factory()
    journal = Journal.open(tmp_path / "journal.sqlite", campaign.name)
    sender = JournaledSender(journal, admin)
    record = deploy_campaign(campaign, sender, issuer=issuer.address, root=tmp_path / "deployments")
    yield campaign, journal, sender, record
    journal.close()


def test_deploy_writes_record(deployed, tmp_path, issuer):
    campaign, _, _, record = deployed
    path = record_path(campaign.name, tmp_path / "deployments")
    assert load_record(path) == record
    assert set(record.contracts) == {"BadgeSeries", "BadgeDraw", "VrfCoordinatorMock", "ChainlinkVrfSource"}
    assert verify_record(record) == []
    stored = json.loads(path.read_text())
    assert stored["contracts"]["BadgeSeries"]["constructor_arguments"][1] == "TESTST"
    assert stored["contracts"]["BadgeSeries"]["compiler"]["version"].startswith("0.8.28")


def test_deploy_grants_roles(deployed, issuer):
    _, _, _, record = deployed
    series = instance_at("BadgeSeries", record.address_of("BadgeSeries"))
    draw = instance_at("BadgeDraw", record.address_of("BadgeDraw"))
    source = record.address_of("ChainlinkVrfSource")
    assert series.hasRole(series.MINTER_ROLE(), draw.address)
    for role in ("ISSUER_ROLE", "RECOVERY_ROLE", "PAUSER_ROLE"):
        assert series.hasRole(getattr(series, role)(), issuer)
    assert draw.hasRole(draw.ISSUER_ROLE(), issuer)
    assert draw.isRandomnessSourceAllowed(source)
    assert instance_at("ChainlinkVrfSource", source).owner() == draw.address


def test_second_deploy_sends_nothing(deployed, tmp_path, issuer, chain):
    campaign, journal, sender, record = deployed
    intents_before = len(journal.intents())
    block_before = chain.blocks.head.number

    again = deploy_campaign(campaign, sender, issuer=issuer.address, root=tmp_path / "deployments")

    assert again.contracts == record.contracts
    assert len(journal.intents()) == intents_before
    assert chain.blocks.head.number == block_before


def test_foreign_chain_record_rejected(deployed, tmp_path, issuer):
    campaign, _, sender, record = deployed
    path = record_path(campaign.name, tmp_path / "deployments")
    data = json.loads(path.read_text())
    data["chain_id"] = 11155111
    path.write_text(json.dumps(data))

    with pytest.raises(DeploymentError, match="chain id is .*, the record was made on chain 11155111"):
        deploy_campaign(campaign, sender, issuer=issuer.address, root=tmp_path / "deployments")


def test_commit_reveal_campaign_deploys_its_source(campaign_factory, tmp_path, admin):
    campaign = campaign_factory(name="cr-campaign", randomness="commit-reveal")
    with Journal.open(tmp_path / "cr.sqlite", campaign.name) as journal:
        record = deploy_campaign(campaign, JournaledSender(journal, admin), root=tmp_path / "deployments")
    assert set(record.contracts) == {"BadgeSeries", "BadgeDraw", "CommitRevealSource"}
    draw = instance_at("BadgeDraw", record.address_of("BadgeDraw"))
    assert draw.isRandomnessSourceAllowed(record.address_of("CommitRevealSource"))
