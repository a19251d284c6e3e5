"""Options and helpers shared by merit's ape scripts (`ape run deploy`, `ape run campaign ...`).

The scripts stay thin: they parse options, connect through ape, and call `merit.clients`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from ape import accounts
from ape.api import AccountAPI
from ape.exceptions import ContractLogicError, ProviderNotConnectedError
from ape.logging import logger as ape_logger

from merit.addresses import ZERO_ADDRESS, parse_address
from merit.campaign import Campaign, load_campaign
from merit.chain.deployment import VrfSettings, is_local_network, network_choice
from merit.errors import MeritError

__all__ = [
    "ADDRESS",
    "BYTES32",
    "describe_revert",
    "account_option",
    "report_errors",
    "campaign_argument",
    "deployments_option",
    "fresh_option",
    "connect_sdk_logging",
    "out_option",
    "resolve_account",
    "vrf_options",
    "vrf_settings",
]

F = TypeVar("F", bound=Callable[..., Any])


class AddressType(click.ParamType):
    """A click parameter type for an address: 0x and 40 hex digits, returned in EIP-55 form. A
    mixed-case address must carry a valid EIP-55 checksum, as in entrant files."""

    name = "address"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            address = parse_address(str(value), allow_zero=True)
        except ValueError as error:
            self.fail(str(error), param, ctx)
        # The zero-address message of entrant files names holders. An option may name any role,
        # so it gets a message of its own.
        if address == ZERO_ADDRESS:
            self.fail(f"{address} is the zero address, which no wallet controls. Pass a wallet's own address.", param, ctx)
        return address


class Bytes32Type(click.ParamType):
    """A click parameter type for 32 bytes written as 0x and 64 hex digits."""

    name = "hex32"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        digits = text[2:] if text.startswith("0x") else ""
        if len(digits) != 64 or any(character not in "0123456789abcdefABCDEF" for character in digits):
            self.fail(f"{text!r} is not 32 bytes; pass 0x and 64 hex digits.", param, ctx)
        return text.lower()


ADDRESS = AddressType()
BYTES32 = Bytes32Type()


def connect_sdk_logging() -> None:
    """Route the SDK's log records (logger "merit") through ape's log formatting and level."""
    sdk_logger = logging.getLogger("merit")
    if not getattr(sdk_logger, "_merit_connected", False):
        ape_logger.create_logger("merit")
        sdk_logger._merit_connected = True  # type: ignore[attr-defined]
    sdk_logger.setLevel(ape_logger.level)
    # The journal logs every intent; those lines matter when debugging, not in a normal run.
    logging.getLogger("merit.journal").setLevel(max(ape_logger.level, logging.WARNING))
    logging.getLogger("merit.publish").setLevel(max(ape_logger.level, logging.WARNING))


def report_errors(function: F) -> F:
    """Turn the SDK's errors and contract reverts into a clean message and exit status 1."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except MeritError as error:
            raise click.ClickException(str(error)) from error
        except ContractLogicError as error:
            raise click.ClickException(
                f"The contract rejected the transaction before it was sent: {describe_revert(error)}. "
                "Nothing was sent."
            ) from error
        except KeyboardInterrupt:
            click.echo(
                "\nInterrupted. Run the same command again to continue: the journal settles any "
                "transaction that was on its way, and nothing is sent twice.",
                err=True,
            )
            raise SystemExit(130) from None
        except (ProviderNotConnectedError, ConnectionError) as error:
            raise click.ClickException(
                f"Lost the connection to the node of {network_choice()}: {error}. Check the node, then "
                "run the same command again to continue."
            ) from error

    return wrapper  # type: ignore[return-value]


def describe_revert(error: ContractLogicError) -> str:
    """Name a revert: the custom error's name and arguments when ape decoded it, otherwise the
    error that the selector names in any of the SDK's contracts (a nested call's error reaches
    the caller undecoded)."""
    name = type(error).__name__
    message = str(error)
    if name != "ContractLogicError":
        return f"{name}: {message}"
    data = message.strip()
    if data.startswith("0x") and len(data) >= 10:
        decoded = _decode_custom_error(bytes.fromhex(data[2:]))
        if decoded is not None:
            return decoded
    return message


def _decode_custom_error(data: bytes) -> str | None:
    from eth_abi import decode
    from eth_utils import function_signature_to_4byte_selector

    from merit.chain.contracts import CONTRACT_NAMES, contract_type

    for contract_name in CONTRACT_NAMES:
        for item in contract_type(contract_name).abi:
            if getattr(item, "type", None) != "error":
                continue
            types = [argument.canonical_type for argument in item.inputs]
            if function_signature_to_4byte_selector(f"{item.name}({','.join(types)})") != data[:4]:
                continue
            try:
                values = decode(types, data[4:])
            except Exception:  # noqa: BLE001 - a selector match with other argument data
                continue
            arguments = ", ".join(f"{argument.name}={value}" for argument, value in zip(item.inputs, values))
            return f"{item.name}({arguments})"
    return None


def _load_campaign(_: click.Context, __: click.Parameter, value: Path) -> Campaign:
    try:
        return load_campaign(value)
    except MeritError as error:
        raise click.BadParameter(str(error)) from error


def campaign_argument(function: F) -> F:
    """Add the CAMPAIGN_FILE argument, loaded and validated into a `Campaign`."""
    return click.argument(
        "campaign",
        metavar="CAMPAIGN_FILE",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        callback=_load_campaign,
    )(function)


def account_option(function: F) -> F:
    """Add `--account ALIAS`: the signing account; default on a local network: test account 0."""
    return click.option(
        "--account",
        "account_alias",
        metavar="ALIAS",
        default=None,
        help="Alias of the ape account that signs (see `ape accounts list`). "
        "Default on a local network: the first test account.",
    )(function)


def out_option(function: F) -> F:
    """Add `--out DIR`: the parent of the campaign's output folder."""
    return click.option(
        "--out",
        "out_root",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("out"),
        show_default=True,
        help="Folder that holds <campaign>/ with the journal, published files and reports.",
    )(function)


def deployments_option(function: F) -> F:
    """Add `--deployments DIR`: the folder of deployment records."""
    return click.option(
        "--deployments",
        "deployments_root",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("deployments"),
        show_default=True,
        help="Folder of deployment records, one file per network and campaign.",
    )(function)


def fresh_option(function: F) -> F:
    """Add `--fresh`: set aside a journal of another chain and start the campaign anew."""
    return click.option(
        "--fresh",
        is_flag=True,
        help="If the journal belongs to another chain, set it aside and start the campaign anew on "
        "this one. Without it the step stops, so that a wrong --network never hides a campaign.",
    )(function)


def vrf_options(function: F) -> F:
    """Add the Chainlink VRF options that a live network needs."""
    options = [
        click.option("--vrf-coordinator", metavar="ADDRESS", type=ADDRESS, help="VRF v2.5 coordinator of the network."),
        click.option("--vrf-key-hash", metavar="HEX", type=BYTES32, help="Gas lane key hash of the coordinator (32 bytes)."),
        click.option("--vrf-subscription", metavar="ID", type=int, help="VRF subscription that pays."),
        click.option("--vrf-confirmations", metavar="BLOCKS", type=int, default=3, show_default=True,
                     help="Blocks the oracle waits before it responds."),
        click.option("--vrf-callback-gas", metavar="GAS", type=int, default=200_000, show_default=True,
                     help="Gas limit of the seed callback."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def vrf_settings(options: dict[str, Any]) -> VrfSettings | None:
    """Build VRF settings from the `vrf_options` values; None when none was given.

    Raises:
        click.BadParameter: if only some of coordinator, key hash and subscription are given.
    """
    given = {name: options.get(name) for name in ("vrf_coordinator", "vrf_key_hash", "vrf_subscription")}
    if not any(given.values()):
        return None
    missing = [f"--{name.replace('_', '-')}" for name, value in given.items() if not value]
    if missing:
        raise click.BadParameter(f"Chainlink VRF needs {', '.join(missing)} as well.")
    return VrfSettings(
        coordinator=options["vrf_coordinator"],
        key_hash=options["vrf_key_hash"],
        subscription_id=options["vrf_subscription"],
        request_confirmations=options["vrf_confirmations"],
        callback_gas_limit=options["vrf_callback_gas"],
    )


def resolve_account(alias: str | None) -> AccountAPI:
    """Return the signing account for `--account`.

    Raises:
        click.UsageError: if no alias is given on a live network, or the alias is unknown.
    """
    if alias is None:
        if is_local_network():
            return accounts.test_accounts[0]
        raise click.UsageError(
            f"{network_choice()} is a live network: pass --account ALIAS with an account from "
            "`ape accounts list` (import one with `ape accounts import ALIAS`)."
        )
    try:
        return accounts.load(alias)
    except Exception as error:  # noqa: BLE001 - ape raises its own error types per plugin
        raise click.UsageError(f"No ape account with alias {alias!r} ({error}). See `ape accounts list`.") from error
