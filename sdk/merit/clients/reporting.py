"""Collect a campaign's figures from its journal and the chain into a `CampaignReport`.

Counts of entrants, winners and rejected rows come from the journal, which recorded the planned
rounds; round states, seeds and request ids come from the chain; issued badges come from the
journal's record of `BadgeClaimed` events, timed by their blocks. On a replayed local chain the
issue times are mapped back to the campaign calendar (see `merit.schedule`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from merit.campaign import Campaign
from merit.chain.deployment import network_choice
from merit.clients.issuer import RoundState, Issuer
from merit.errors import DeploymentError
from merit.report import (
    AuditResult,
    BadgeIssue,
    BilingualText,
    CampaignInfo,
    CampaignReport,
    ChannelInfo,
    ContractAddresses,
    EditionReport,
    GasStep,
    NetworkInfo,
    PoolFigures,
    write_report,
)

__all__ = ["collect_report", "new_users_channel", "write_campaign_report"]

GAS_STEPS = ("deploy", "commit", "draw", "issue")


def new_users_channel(campaign: Campaign) -> str | None:
    """Return the channel of new registrations: the first whose rules read a registration day."""
    for channel in campaign.channels:
        if channel.rules.registered_from is not None or channel.rules.registered_before is not None:
            return channel.id
    return None


def collect_report(issuer: Issuer, audit: AuditResult) -> CampaignReport:
    """Return the report of `issuer`'s campaign, as of the newest block of the connected chain.

    Raises:
        DeploymentError: if the campaign is not deployed on the connected network.
    """
    campaign = issuer.campaign
    record = issuer.record
    draw = issuer.draw_contract()
    schedule = issuer.schedule()
    journal = issuer.journal
    block_times: dict[int, int] = {}

    def issued_at(block_number: int) -> dt.datetime:
        if block_number not in block_times:
            block_times[block_number] = int(issuer.chain_manager.blocks[block_number].timestamp)
        return schedule.campaign_time(block_times[block_number])

    block_of_tx = {intent.tx_hash: intent.block_number for intent in journal.intents("issue") if intent.tx_hash}

    editions = []
    for edition in campaign.editions:
        round_id = issuer.on_chain_id(edition.id)
        recorded = journal.round(edition.id)
        if recorded is None:
            continue
        state_number = int(draw.roundState(round_id))
        state = RoundState.NAMES[state_number]
        round_view = draw.getRound(round_id) if state_number != RoundState.NONE else None
        request_ids = [str(int(rid)) for rid in round_view.requestIds if int(rid)] if round_view else []
        seed = issuer.seed_of(round_id) if state_number == RoundState.SEEDED else None

        rejected = Counter(rejection.channel for rejection in journal.rejections(edition.id))
        badges = journal.badges(edition.id)
        issued = Counter(badge.pool for badge in badges)
        channel_of_pool = {pool.pool: pool.channel for pool in recorded.pools}
        timeline = []
        for badge in badges:
            block = block_of_tx.get(badge.tx_hash)
            if block is None:
                block = int(issuer.provider.get_receipt(badge.tx_hash).block_number)
                block_of_tx[badge.tx_hash] = block
            timeline.append(BadgeIssue(at=issued_at(block), channel=channel_of_pool[badge.pool]))

        editions.append(
            EditionReport(
                id=edition.id,
                name=BilingualText(zh=edition.name["zh"], en=edition.name["en"]),
                released_on=edition.released_on,
                supply=edition.supply,
                onchain_id=round_id,
                round_state=state,
                seed=seed,
                request_ids=request_ids,
                entrants_sha256=recorded.manifest_sha256 if state_number != RoundState.NONE else None,
                pools=[
                    PoolFigures(
                        pool=pool.pool,
                        channel=pool.channel,
                        entrants=pool.n,
                        winners=pool.k,
                        issued=issued[pool.pool],
                        rejected=rejected[pool.channel],
                    )
                    for pool in recorded.pools
                ],
                timeline=timeline,
            )
        )
    if not editions:
        raise DeploymentError(f"Campaign {campaign.name} has no planned edition yet; run the plan step first.")

    intents = journal.intents()
    gas = []
    for step in GAS_STEPS:
        mined = [intent for intent in intents if intent.step == step and intent.gas_used]
        if mined:
            gas.append(GasStep(step=step, transactions=len(mined), gas_used=sum(i.gas_used or 0 for i in mined)))

    source_name = "ChainlinkVrfSource" if campaign.randomness == "vrf" else "CommitRevealSource"
    return CampaignReport(
        campaign=CampaignInfo(id=campaign.name, title=BilingualText(zh=campaign.title["zh"], en=campaign.title["en"])),
        network=NetworkInfo(name=network_choice(), chain_id=issuer.provider.chain_id),
        contracts=ContractAddresses(
            series=record.address_of("BadgeSeries"),
            draw=record.address_of("BadgeDraw"),
            randomness_source=record.address_of(source_name),
        ),
        randomness=campaign.randomness,
        timezone=campaign.timezone,
        generated_at=dt.datetime.now(dt.timezone.utc),
        channels=[
            ChannelInfo(
                id=channel.id,
                name=BilingualText(zh=channel.name["zh"], en=channel.name["en"]),
                planned_share=channel.share,
            )
            for channel in campaign.channels
        ],
        new_users_channel=new_users_channel(campaign),
        editions=editions,
        gas=gas,
        audit=audit,
    )


def write_campaign_report(issuer: Issuer, audit: AuditResult) -> list[Path]:
    """Collect the report and write it to ``out/<campaign>/report/``; return the files."""
    return write_report(collect_report(issuer, audit), issuer.output_dir / "report")
