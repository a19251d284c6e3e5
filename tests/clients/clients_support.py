"""Building blocks of the client tests: a small campaign file, entrant addresses, a file server on
127.0.0.1, and a dishonest randomness source that an audit must catch."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import solcx
from ape.contracts import ContractContainer
from eth_utils import keccak, to_checksum_address
from ethpm_types import ContractType

SOLC_BINARY = Path(__file__).resolve().parents[2] / ".solcx" / "solc-v0.8.28"
"""The project's solc 0.8.28, which accepts standard JSON input only."""

HOUR = 3600
DAY = 24 * HOUR

CAMPAIGN_YAML = """\
name: {name}
title: {{zh: 审计测试, en: Audit test}}
timezone: Asia/Shanghai
series:
  name: Client Test Terms
  symbol: CLIENTST
  description: {{zh: 客户端测试系列, en: Client test series}}
  recovery_delay_hours: 72
randomness: vrf
channels:
  - id: new-users
    name: {{zh: 新注册用户, en: New registrations}}
    share: 0.3
    rules: {{registered_from: 2022-06-01, min_wallet_tier: 2}}
  - id: learners
    name: {{zh: 课程学习者, en: Course learners}}
    share: 0.7
    rules: {{min_course_points: 100}}
editions:
  - id: xiazhi
    name: {{zh: 夏至, en: Summer Solstice}}
    released_on: 2022-06-21
    supply: 7
    entrants: entrants.csv
    artwork: xiazhi.svg
  - id: dashu
    name: {{zh: 大暑, en: Major Heat}}
    released_on: 2022-07-23
    supply: 4
    entrants: entrants.csv
    artwork: dashu.svg
  - id: liqiu
    name: {{zh: 立秋, en: Start of Autumn}}
    released_on: 2022-08-07
    supply: 5
    entrants: entrants.csv
    artwork: liqiu.svg
planned_designs: 4
"""

EDITION_SLUGS = ("xiazhi", "dashu", "liqiu")


def write_campaign(folder: Path, name: str) -> Path:
    """Write the campaign file of the client tests and the files it names; return its path.

    Deployment reads only the series and the randomness settings; the tests publish their own
    rounds, so the entrant file only has to exist.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "entrants.csv").write_text("user_ref,address,channel,registered_at,wallet_tier,course_points\n", "utf-8")
    for slug in EDITION_SLUGS:
        (folder / f"{slug}.svg").write_text(artwork_svg(slug), "utf-8")
    path = folder / "campaign.yaml"
    path.write_text(CAMPAIGN_YAML.format(name=name), "utf-8")
    return path


def artwork_svg(title: str) -> str:
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><title>{title}</title></svg>\n'


def entrant_addresses(count: int, tag: str) -> list[str]:
    """Derive `count` distinct EIP-55 addresses from `tag`, with no known private keys."""
    return [to_checksum_address(keccak(text=f"{tag}:{index}")[-20:]) for index in range(count)]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def file_server(root: Path) -> Iterator[str]:
    """Serve `root` over HTTP on 127.0.0.1 at a free port; yield the base URL, ending with '/'."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


DISHONEST_SOURCE = """\
// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

interface ISeedReceiverOfDraw {
    function deliverSeed(uint256 roundId, uint256 requestId, uint256 seed) external;
}

/// TEST ONLY: an adversary for the audit. It answers like a commit-reveal source and logs the
/// seed that the revealed secret and the target block's hash give, but it delivers a seed of the
/// revealer's choice to the draw.
contract DishonestRevealSource {
    event SeedRequested(uint256 indexed roundId, uint256 indexed requestId);
    event CommitRevealRequested(uint256 indexed roundId, uint256 indexed requestId, uint256 targetBlock);
    event SecretRevealed(
        uint256 indexed roundId, uint256 indexed requestId, bytes32 secret, bytes32 targetBlockHash, uint256 seed
    );

    address public immutable draw;
    uint256 private _requestCount;
    mapping(uint256 requestId => uint256) private _roundOf;
    mapping(uint256 requestId => uint256) private _targetOf;

    constructor(address draw_) {
        draw = draw_;
    }

    function requiresCommitment() external pure returns (bool) {
        return true;
    }

    function allowsRetry() external pure returns (bool) {
        return false;
    }

    function requestLapsed(uint256) external pure returns (bool) {
        return false;
    }

    function requestSeed(uint256 roundId, bytes32) external returns (uint256 requestId) {
        requestId = ++_requestCount;
        _roundOf[requestId] = roundId;
        _targetOf[requestId] = block.number + 1;
        emit SeedRequested(roundId, requestId);
        emit CommitRevealRequested(roundId, requestId, block.number + 1);
    }

    function reveal(uint256 requestId, bytes32 secret, uint256 chosenSeed) external {
        uint256 roundId = _roundOf[requestId];
        bytes32 targetBlockHash = blockhash(_targetOf[requestId]);
        uint256 honestSeed = uint256(keccak256(abi.encode(secret, targetBlockHash)));
        emit SecretRevealed(roundId, requestId, secret, targetBlockHash, honestSeed);
        ISeedReceiverOfDraw(draw).deliverSeed(roundId, requestId, chosenSeed);
    }
}
"""


def dishonest_source_container() -> ContractContainer:
    """Compile `DISHONEST_SOURCE` with the project's compiler and return its ape container."""
    output = solcx.compile_standard(
        {
            "language": "Solidity",
            "sources": {"DishonestRevealSource.sol": {"content": DISHONEST_SOURCE}},
            "settings": {"evmVersion": "cancun", "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}}},
        },
        solc_binary=SOLC_BINARY,
    )
    compiled = output["contracts"]["DishonestRevealSource.sol"]["DishonestRevealSource"]
    contract_type = ContractType.model_validate(
        {
            "contractName": "DishonestRevealSource",
            "abi": compiled["abi"],
            "deploymentBytecode": {"bytecode": "0x" + compiled["evm"]["bytecode"]["object"]},
        }
    )
    return ContractContainer(contract_type)
