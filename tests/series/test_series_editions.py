"""Edition creation, metadata updates and the one-way freeze."""

import ape
import pytest

pytestmark = pytest.mark.chain

DAY = 24 * 3600
ZERO_HASH = bytes(32)


def test_create_edition_stores_config(series, issuer, edition_config, chain):
    config = edition_config(cap=300)
    receipt = series.createEdition(config, sender=issuer)

    event = receipt.events.filter(series.EditionCreated)[0]
    assert event.editionId == 0
    assert event.name == "夏至 Summer Solstice"
    assert event.cap == 300
    assert event.metadataURI == "ipfs://xiazhi.json"

    stored = series.edition(0)
    assert stored.name == "夏至 Summer Solstice"
    assert stored.cap == 300
    assert (stored.allocated, stored.issued, stored.revoked) == (0, 0, 0)
    assert (stored.opensAt, stored.closesAt) == (config[2], config[3])
    assert stored.frozen is False
    assert stored.artworkSha256 == config[5]
    assert stored.metadataSha256 == config[6]
    assert series.editionCount() == 1


def test_create_edition_ids_are_sequential(create_edition, series):
    assert [create_edition() for _ in range(3)] == [0, 1, 2]
    assert series.editionCount() == 3


def test_create_edition_may_open_later(create_edition, series, chain):
    opens = chain.pending_timestamp + 10 * DAY
    edition_id = create_edition(opens_at=opens, closes_at=opens + DAY)
    assert series.edition(edition_id).opensAt == opens


def test_create_edition_rejects_zero_cap(series, issuer, edition_config):
    with ape.reverts(series.EditionZeroCap):
        series.createEdition(edition_config(cap=0), sender=issuer)
    assert series.editionCount() == 0


def test_create_edition_rejects_empty_name(series, issuer, edition_config):
    with ape.reverts(series.EditionEmptyName):
        series.createEdition(edition_config(name=""), sender=issuer)
    assert series.editionCount() == 0


def test_create_edition_rejects_inverted_window(series, issuer, edition_config, chain):
    now = chain.pending_timestamp
    config = edition_config(opens_at=now + 2 * DAY, closes_at=now + DAY)
    with ape.reverts(series.EditionInvalidWindow, opensAt=now + 2 * DAY, closesAt=now + DAY):
        series.createEdition(config, sender=issuer)
    assert series.editionCount() == 0


def test_create_edition_rejects_empty_window(series, issuer, edition_config, chain):
    now = chain.pending_timestamp
    with ape.reverts(series.EditionInvalidWindow):
        series.createEdition(edition_config(opens_at=now + DAY, closes_at=now + DAY), sender=issuer)


def test_create_edition_rejects_past_window(series, issuer, edition_config, chain):
    now = chain.pending_timestamp
    config = edition_config(opens_at=now - 10 * DAY, closes_at=now - DAY)
    with ape.reverts(series.EditionInvalidWindow, opensAt=now - 10 * DAY, closesAt=now - DAY):
        series.createEdition(config, sender=issuer)
    assert series.editionCount() == 0


def test_create_edition_rejects_empty_uri(series, issuer, edition_config):
    with ape.reverts(series.EditionEmptyMetadataURI):
        series.createEdition(edition_config(metadata_uri=""), sender=issuer)
    assert series.editionCount() == 0


@pytest.mark.parametrize("field", ["artwork_sha256", "metadata_sha256"])
def test_create_edition_rejects_zero_hash(series, issuer, edition_config, field):
    with ape.reverts(series.EditionZeroHash):
        series.createEdition(edition_config(**{field: ZERO_HASH}), sender=issuer)
    assert series.editionCount() == 0


@pytest.mark.slow
def test_create_edition_rejects_257th(series, issuer, edition_config):
    config = edition_config(cap=1)
    for _ in range(256):
        series.createEdition(config, sender=issuer)
    assert series.editionCount() == 256
    assert series.edition(255).cap == 1

    with ape.reverts(series.EditionLimitReached, maxEditions=256):
        series.createEdition(config, sender=issuer)
    assert series.editionCount() == 256


def test_edition_view_rejects_unknown(series, create_edition):
    create_edition()
    with ape.reverts(series.EditionUnknown, editionId=5, editionCount=1):
        series.edition(5)


def test_update_metadata_emits_erc4906_range(series, issuer, create_edition):
    edition_id = create_edition()
    artwork, metadata = bytes.fromhex("aa" * 32), bytes.fromhex("bb" * 32)

    receipt = series.updateEditionMetadata(edition_id, "ipfs://xiazhi-v2.json", artwork, metadata, sender=issuer)

    stored = series.edition(edition_id)
    assert stored.metadataURI == "ipfs://xiazhi-v2.json"
    assert stored.artworkSha256 == artwork
    assert stored.metadataSha256 == metadata
    updated = receipt.events.filter(series.EditionMetadataUpdated)[0]
    assert updated.metadataURI == "ipfs://xiazhi-v2.json"
    batch = receipt.events.filter(series.BatchMetadataUpdate)[0]
    assert batch._fromTokenId == edition_id << 160
    assert batch._toTokenId == (edition_id << 160) | (2**160 - 1)


def test_update_metadata_rejects_bad_values(series, issuer, create_edition):
    edition_id = create_edition()
    with ape.reverts(series.EditionEmptyMetadataURI):
        series.updateEditionMetadata(edition_id, "", b"\x01" * 32, b"\x02" * 32, sender=issuer)
    with ape.reverts(series.EditionZeroHash):
        series.updateEditionMetadata(edition_id, "ipfs://x", ZERO_HASH, b"\x02" * 32, sender=issuer)
    assert series.edition(edition_id).metadataURI == "ipfs://xiazhi.json"


def test_update_metadata_rejects_unknown_edition(series, issuer):
    with ape.reverts(series.EditionUnknown, editionId=3, editionCount=0):
        series.updateEditionMetadata(3, "ipfs://x", b"\x01" * 32, b"\x02" * 32, sender=issuer)


def test_freeze_blocks_updates(series, issuer, create_edition):
    edition_id = create_edition()
    receipt = series.freezeEditionMetadata(edition_id, sender=issuer)
    assert receipt.events.filter(series.EditionMetadataFrozen)[0].editionId == edition_id
    assert series.edition(edition_id).frozen is True

    with ape.reverts(series.EditionFrozen, editionId=edition_id):
        series.updateEditionMetadata(edition_id, "ipfs://x", b"\x01" * 32, b"\x02" * 32, sender=issuer)
    with ape.reverts(series.EditionFrozen, editionId=edition_id):
        series.freezeEditionMetadata(edition_id, sender=issuer)
    assert series.edition(edition_id).metadataURI == "ipfs://xiazhi.json"


def test_freeze_keeps_counters(series, issuer, create_edition, learners):
    edition_id = create_edition(cap=5)
    series.issue(edition_id, learners[0], sender=issuer)
    series.freezeEditionMetadata(edition_id, sender=issuer)

    stored = series.edition(edition_id)
    assert (stored.cap, stored.allocated, stored.issued) == (5, 1, 1)
    series.issue(edition_id, learners[1], sender=issuer)
    assert series.edition(edition_id).issued == 2
