"""Deployment records and the idempotent deployment of a campaign's contracts.

A record lives at ``deployments/<network>/<campaign>.json`` (the network written as
``ethereum-sepolia``) and lists, per contract, its address, the deploying transaction and block,
the constructor arguments, the compiler and the keccak-256 of the runtime code, so that anyone can
check the deployment against the chain. Deploying with a record that still matches the chain does
nothing. Records of local networks (the embedded chain, anvil) describe chains that vanish with
their process; git ignores them, and a record whose chain is gone is replaced.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from ape.api import AccountAPI
from ape.contracts import ContractInstance
from ape.utils import ManagerAccessMixin
from eth_utils import keccak, to_checksum_address
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from merit.campaign import Campaign
from merit.chain.contracts import ContractName, compiler_of, container, instance_at
from merit.chain.transactions import JournaledSender
from merit.errors import DeploymentError

__all__ = [
    "ContractRecord",
    "DeploymentRecord",
    "VrfSettings",
    "deploy_campaign",
    "is_local_network",
    "load_record",
    "network_choice",
    "record_path",
    "verify_record",
]

logger = logging.getLogger(__name__)

DEPLOYMENTS_DIR = Path("deployments")
ADMIN_TRANSFER_DELAY = 3 * 24 * 3600
"""Seconds between accepting and completing a handover of DEFAULT_ADMIN_ROLE."""

# Chainlink's VRF v2.5 mock on local networks: fees are irrelevant there, only non-zero.
LOCAL_VRF_BASE_FEE = 10**15
LOCAL_VRF_GAS_PRICE = 10**9
LOCAL_VRF_WEI_PER_UNIT_LINK = 4 * 10**15
LOCAL_VRF_FUNDING = 10**20
LOCAL_VRF_KEY_HASH = "0x" + keccak(text="merit local VRF key").hex().removeprefix("0x")


def _check_address(value: str) -> str:
    try:
        return str(to_checksum_address(value))
    except ValueError as error:
        raise ValueError(f"{value!r} is not an address; pass 0x and 40 hex digits.") from error


class ContractRecord(BaseModel):
    """One deployed contract, with what it takes to check it against the chain."""

    model_config = ConfigDict(extra="forbid")

    address: str = Field(description="Contract address, EIP-55.")
    transaction: str = Field(description="Hash of the deploying transaction.")
    block: int = Field(description="Block number of the deploying transaction.")
    deployer: str = Field(description="Account that deployed the contract.")
    constructor_arguments: list[Any] = Field(description="Constructor arguments, JSON-encoded.")
    runtime_code_keccak: str = Field(description="keccak-256 of the runtime code at the address.")
    compiler: dict[str, Any] = Field(description="Compiler name, version, EVM version, optimizer.")


class VrfSettings(BaseModel):
    """Chainlink VRF v2.5 settings of a live network; local networks get a mock instead."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    coordinator: Annotated[str, AfterValidator(_check_address)] = Field(
        description="VRF v2.5 coordinator address of the network."
    )
    key_hash: str = Field(pattern=r"^0x[0-9a-fA-F]{64}$", description="Gas lane key hash: 0x and 64 hex digits.")
    subscription_id: int = Field(ge=1, description="Subscription that pays for the requests.")
    request_confirmations: int = Field(default=3, ge=0, le=200, description="Blocks to wait.")
    callback_gas_limit: int = Field(default=200_000, ge=1, description="Gas for the callback.")
    native_payment: bool = Field(default=True, description="Pay in the native token, not LINK.")


class DeploymentRecord(BaseModel):
    """The addresses and origins of a campaign's contracts on one network."""

    model_config = ConfigDict(extra="forbid")

    campaign: str
    network: str = Field(description="ape network choice, e.g. ethereum:sepolia:node.")
    chain_id: int
    genesis_hash: str = Field(description="Hash of block 0; tells a restarted local chain apart.")
    randomness: str = Field(description="'vrf' or 'commit-reveal'.")
    contracts: dict[str, ContractRecord] = Field(default_factory=dict)
    vrf_subscription_id: int | None = Field(default=None, description="VRF subscription in use.")
    issuer: str | None = Field(default=None, description="Account holding the issuer roles.")
    updated_at: str = ""

    def address_of(self, name: str) -> str:
        """Return the address of contract `name`.

        Raises:
            DeploymentError: if the record has no such contract.
        """
        if name not in self.contracts:
            raise DeploymentError(
                f"The deployment record of {self.campaign} on {self.network} has no {name}. "
                "Run `ape run deploy` for this network first."
            )
        return self.contracts[name].address


class _Chain(ManagerAccessMixin):
    """Access to ape's managers for module-level functions."""


_CHAIN = _Chain()


def network_choice() -> str:
    """Return the connected network as `ecosystem:network:provider`."""
    network = _CHAIN.provider.network
    return f"{network.ecosystem.name}:{network.name}:{_CHAIN.provider.name}"


def is_local_network() -> bool:
    """Return whether the connected network is a local one (embedded chain, anvil)."""
    return bool(_CHAIN.provider.network.name == "local")


def record_path(campaign_name: str, root: Path = DEPLOYMENTS_DIR) -> Path:
    """Return the record path of `campaign_name` on the connected network."""
    network = _CHAIN.provider.network
    slug = f"{network.ecosystem.name}-{network.name}"
    if network.name == "local":
        slug = f"{slug}-{_CHAIN.provider.name}"
    return root / slug / f"{campaign_name}.json"


def load_record(path: Path) -> DeploymentRecord | None:
    """Return the record at `path`, or None when there is none.

    Raises:
        DeploymentError: if the file is not a valid record.
    """
    if not path.exists():
        return None
    try:
        return DeploymentRecord.model_validate_json(path.read_text("utf-8"))
    except ValueError as error:
        raise DeploymentError(f"{path} is not a valid deployment record: {error}. Fix or remove it.") from error


def save_record(record: DeploymentRecord, path: Path) -> None:
    """Write `record` atomically."""
    record.updated_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(record.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n", "utf-8")
    os.replace(temporary, path)


def verify_record(record: DeploymentRecord) -> list[str]:
    """Compare `record` with the connected chain; return every mismatch (empty when it holds)."""
    problems: list[str] = []
    chain_id = _CHAIN.provider.chain_id
    if record.chain_id != chain_id:
        problems.append(f"chain id is {chain_id}, the record was made on chain {record.chain_id}")
        return problems
    genesis = _genesis_hash()
    if record.genesis_hash != genesis:
        problems.append(f"genesis block is {genesis}, the record was made on a chain starting with {record.genesis_hash}")
        return problems
    for name, contract in record.contracts.items():
        code = bytes(_CHAIN.provider.get_code(contract.address))
        if not code:
            problems.append(f"{name}: no code at {contract.address}")
            continue
        code_hash = "0x" + keccak(code).hex().removeprefix("0x")
        if code_hash != contract.runtime_code_keccak:
            problems.append(f"{name}: code at {contract.address} has keccak {code_hash}, the record says {contract.runtime_code_keccak}")
    return problems


def _genesis_hash() -> str:
    value = _CHAIN.chain_manager.blocks[0].hash
    text = value.hex() if isinstance(value, (bytes, bytearray)) else str(value)
    return text if text.startswith("0x") else f"0x{text}"


# ---------------------------------------------------------------------------------------------
# Deployment
# ---------------------------------------------------------------------------------------------


def deploy_campaign(
    campaign: Campaign,
    sender: JournaledSender,
    *,
    issuer: str | None = None,
    vrf: VrfSettings | None = None,
    contract_uri: str = "",
    root: Path = DEPLOYMENTS_DIR,
) -> DeploymentRecord:
    """Deploy (or load) the series, the draw and the randomness source of `campaign`.

    Each step first checks the chain, and the record is saved after every contract, so a run that
    crashed part-way finishes the deployment on the next call without repeating a step. With a
    record that matches the chain, nothing is sent.

    Args:
        campaign: The validated campaign.
        sender: Sends through the campaign journal; its account becomes the admin of every
            contract.
        issuer: Account that receives the issuer, recovery and pauser roles; default the admin.
        vrf: Chainlink settings of a live network. Required for `randomness: vrf` unless the
            network is local, where a VRF coordinator mock is deployed.
        contract_uri: ERC-7572 contract metadata URI of the series.
        root: Folder of deployment records.

    Raises:
        DeploymentError: if the record belongs to another chain, points at missing code on a
            live network, or VRF settings are missing.
    """
    path = record_path(campaign.name, root)
    admin = sender.account.address
    try:
        issuer = to_checksum_address(issuer) if issuer else admin
    except ValueError as error:
        raise DeploymentError(f"The issuer {issuer!r} is not an address; pass 0x and 40 hex digits.") from error
    local = is_local_network()
    if campaign.randomness == "vrf" and vrf is None and not local:
        raise DeploymentError(
            f"Campaign {campaign.name} uses Chainlink VRF, but no VRF settings were given for "
            f"{network_choice()}. Add the network's coordinator, key hash and subscription id."
        )

    record = load_record(path)
    if record is not None:
        problems = verify_record(record)
        # A local chain keeps its chain id across restarts, so another id means a foreign record.
        if problems and (not local or record.chain_id != _CHAIN.provider.chain_id):
            raise DeploymentError(
                f"Deployment record {path} does not match {network_choice()}: {'; '.join(problems)}. "
                "Check the network, or move the record away to deploy anew."
            )
        if problems:
            logger.warning("Replacing deployment record %s of a local chain that is gone (%s).", path, problems[0])
            record = None
    if record is None:
        record = DeploymentRecord(
            campaign=campaign.name,
            network=network_choice(),
            chain_id=_CHAIN.provider.chain_id,
            genesis_hash=_genesis_hash(),
            randomness=campaign.randomness,
        )
    record.issuer = issuer

    def checkpoint() -> None:
        save_record(record, path)

    series = _ensure_contract(
        record,
        sender,
        "BadgeSeries",
        [
            campaign.series.name,
            campaign.series.symbol,
            contract_uri,
            admin,
            ADMIN_TRANSFER_DELAY,
            campaign.series.recovery_delay_hours * 3600,
        ],
        checkpoint,
    )
    draw = _ensure_contract(record, sender, "BadgeDraw", [series.address, admin, ADMIN_TRANSFER_DELAY], checkpoint)

    if campaign.randomness == "vrf":
        source = _ensure_vrf_source(record, sender, draw, vrf, checkpoint)
    else:
        source = _ensure_contract(record, sender, "CommitRevealSource", [draw.address], checkpoint)
    if not draw.isRandomnessSourceAllowed(source.address):
        sender.send("deploy", "deploy/allow-source", draw.allowRandomnessSource.as_transaction(source.address))

    _ensure_role(sender, series, "MINTER_ROLE", draw.address, "deploy/series-minter")
    for role in ("ISSUER_ROLE", "RECOVERY_ROLE", "PAUSER_ROLE"):
        _ensure_role(sender, series, role, issuer, f"deploy/series-{role.lower()}")
    _ensure_role(sender, draw, "ISSUER_ROLE", issuer, "deploy/draw-issuer_role")

    checkpoint()
    logger.info(
        "Deployment of %s on %s is complete: series %s, draw %s, randomness source %s.",
        campaign.name,
        record.network,
        series.address,
        draw.address,
        source.address,
    )
    return record


def _ensure_contract(
    record: DeploymentRecord,
    sender: JournaledSender,
    name: ContractName,
    arguments: list[Any],
    checkpoint: Callable[[], None],
    *,
    record_name: str | None = None,
) -> ContractInstance:
    """Return contract `name` from the record, deploying it first when the record lacks it."""
    key = record_name or name
    if key in record.contracts:
        return instance_at(name, record.contracts[key].address)

    txn = container(name).constructor.serialize_transaction(*arguments)
    sent = sender.send("deploy", f"deploy/{key}", txn)
    receipt = sent.receipt
    if receipt is None:
        receipt = _CHAIN.provider.get_receipt(sent.intent.tx_hash or "")
    address = to_checksum_address(receipt.contract_address)
    code = bytes(_CHAIN.provider.get_code(address))
    record.contracts[key] = ContractRecord(
        address=address,
        transaction=sent.intent.tx_hash or "",
        block=int(receipt.block_number),
        deployer=sender.account.address,
        constructor_arguments=[_jsonable(argument) for argument in arguments],
        runtime_code_keccak="0x" + keccak(code).hex().removeprefix("0x"),
        compiler=compiler_of(name),
    )
    checkpoint()
    logger.info("Deployed %s at %s in block %d.", key, address, receipt.block_number)
    return instance_at(name, address)


def _ensure_vrf_source(
    record: DeploymentRecord,
    sender: JournaledSender,
    draw: ContractInstance,
    vrf: VrfSettings | None,
    checkpoint: Callable[[], None],
) -> ContractInstance:
    """Deploy the Chainlink VRF source; on a local network, with a coordinator mock."""
    if vrf is None:
        coordinator = _ensure_contract(
            record,
            sender,
            "VrfCoordinatorMock",
            [LOCAL_VRF_BASE_FEE, LOCAL_VRF_GAS_PRICE, LOCAL_VRF_WEI_PER_UNIT_LINK],
            checkpoint,
        )
        if record.vrf_subscription_id is None:
            sent = sender.send("deploy", "deploy/vrf-subscription", coordinator.createSubscription.as_transaction())
            receipt = sent.receipt or _CHAIN.provider.get_receipt(sent.intent.tx_hash or "")
            record.vrf_subscription_id = int(receipt.events.filter(coordinator.SubscriptionCreated)[0].subId)
            checkpoint()
        subscription = record.vrf_subscription_id
        balance = coordinator.getSubscription(subscription)[1]  # (balance, nativeBalance, ...)
        if int(balance) == 0:
            sender.send(
                "deploy",
                "deploy/vrf-funding",
                coordinator.fundSubscriptionWithNative.as_transaction(subscription, value=LOCAL_VRF_FUNDING),
            )
        vrf = VrfSettings(
            coordinator=coordinator.address,
            key_hash=LOCAL_VRF_KEY_HASH,
            subscription_id=subscription,
            request_confirmations=0,
            callback_gas_limit=200_000,
            native_payment=True,
        )
    else:
        record.vrf_subscription_id = vrf.subscription_id

    config = (
        vrf.key_hash,
        vrf.subscription_id,
        vrf.request_confirmations,
        vrf.callback_gas_limit,
        vrf.native_payment,
    )
    source = _ensure_contract(record, sender, "ChainlinkVrfSource", [vrf.coordinator, draw.address, config], checkpoint)
    if source.owner() != draw.address:
        sender.send("deploy", "deploy/accept-source-ownership", draw.acceptSourceOwnership.as_transaction(source.address))

    # The coordinator mock shares the subscription interface of Chainlink's VRFCoordinatorV2_5.
    coordinator_contract = instance_at("VrfCoordinatorMock", vrf.coordinator)
    _, _, _, owner, consumers = coordinator_contract.getSubscription(vrf.subscription_id)
    if source.address in [to_checksum_address(consumer) for consumer in consumers]:
        return source
    if to_checksum_address(owner) != sender.account.address:
        logger.warning(
            "VRF subscription %d belongs to %s, not to %s: add the randomness source %s as a consumer "
            "of the subscription (Chainlink's subscription manager), or the draws cannot request.",
            vrf.subscription_id,
            owner,
            sender.account.address,
            source.address,
        )
        return source
    sender.send(
        "deploy",
        "deploy/vrf-consumer",
        coordinator_contract.addConsumer.as_transaction(vrf.subscription_id, source.address),
    )
    return source


def _ensure_role(sender: JournaledSender, contract: ContractInstance, role_name: str, account: str, key: str) -> None:
    role = getattr(contract, role_name)()
    if contract.hasRole(role, account):
        return
    sender.send("deploy", key, contract.grantRole.as_transaction(role, account))


def _jsonable(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + value.hex()
    if isinstance(value, (tuple, list)):
        return [_jsonable(item) for item in value]
    if isinstance(value, (int, str, bool)) or value is None:
        return value
    return str(value)
