"""The bytes the publisher puts together itself are what websockets and msgpack would write."""

import msgpack
import pytest
from websockets.frames import Frame, Opcode

from panneau.hub import wire
from panneau.hub.server.publisher import ws_binary_frame


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 200_000])
def test_a_frame_put_together_once_equals_websockets_own(size):
    data = bytes(i % 251 for i in range(size))
    assert ws_binary_frame(data) == Frame(Opcode.BINARY, data).serialize(mask=False)


@pytest.mark.parametrize("counts", [(0, 0), (1, 14), (15, 1), (300, 70_000)])
def test_spliced_maps_and_arrays_decode_as_one(counts):
    a = {f"kpi:team:a/now/k{i}": i for i in range(counts[0])}
    b = {f"kpi:queue:b/today/k{i}": [i, None] for i in range(counts[1])}
    joined = wire.Splice.join([wire.Splice.of_map(a), wire.Splice.of_map(b)], array=False)
    assert msgpack.unpackb(joined.header() + b"".join(joined.bodies)) == {**a, **b}
    items = wire.Splice.join([wire.Splice.of_array(list(a)), wire.Splice.of_array(list(b))],
                             array=True)
    assert msgpack.unpackb(items.header() + b"".join(items.bodies)) == [*a, *b]
