"""The API's JSON renderer: DRF's JSONRenderer, encoded by orjson (issue #22: a list of 50 orders with their
lines spent a large share of its time in `json.dumps`).

The bytes are the ones DRF's renderer writes for what this API returns (compact separators, UTF-8, U+2028 and
U+2029 escaped): values orjson does not encode the way DRF's encoder does (decimals, datetimes and dates left
raw, dataclasses, lazy strings, anything unusual) go to DRF's own encoder, and anything orjson refuses (an
integer beyond 64 bits, say), or a request for indented output, is rendered by DRF's renderer as before.
Floats are the one difference: orjson writes NaN and infinities as null where DRF refuses them, and may spell
an exponent differently (1e16 against 1e+16); the API's numbers are integers and decimals as strings.
"""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_drf_default = JSONEncoder().default
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class FastJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.ensure_ascii or not self.compact or self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            ret = orjson.dumps(data, default=_drf_default, option=_OPTIONS)
        except (orjson.JSONEncodeError, TypeError):
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF's renderer: U+2028 and U+2029 are valid JSON but not valid JavaScript.
        if b"\xe2\x80\xa8" in ret or b"\xe2\x80\xa9" in ret:
            ret = ret.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return ret
