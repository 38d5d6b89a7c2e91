"""Piper's voice graph cut in two at the decoder's input, so a sentence's audio leaves in pieces.

A Piper (VITS) voice runs its text encoder, duration predictor and flow over the whole sentence, then the
HiFi-GAN decoder turns the latent frames into samples (about two thirds of the CPU here). The decoder is a
stack of convolutions: each output sample depends only on a few latent frames around it, so decoding the
latent piece by piece, each piece with ``context_frames`` of latent on either side, gives the samples of
the whole decode (to ~1e-6 with 16 frames, BENCHMARKS.md) and the first piece leaves after the front half
and one short decode instead of after the whole sentence. The graph is cut in memory with the ``onnx``
package; a voice whose graph does not have the usual decoder input is not cut (whole sentences).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

# The decoder's first node in Piper's VITS export; its input is the latent (z times its mask).
DECODER_INPUT_NODE = "/dec/conv_pre/Conv"

Float32Array = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class DecodePlan:
    """How a sentence's latent is decoded: short first piece (first audio soon), growing after."""

    first_frames: int = 32  # 0.37 s of audio at Piper's 22.05 kHz / 256 samples a frame
    growth: float = 2.0
    max_frames: int = 256
    context_frames: int = 16  # latent frames decoded on each side of a piece and thrown away


def pieces(total_frames: int, plan: DecodePlan = DecodePlan()) -> list[tuple[int, int]]:
    """The ``[start, stop)`` latent-frame spans a sentence is decoded in, in order, covering it all."""
    spans: list[tuple[int, int]] = []
    start, size = 0, max(1, plan.first_frames)
    while start < total_frames:
        stop = min(total_frames, start + size)
        if total_frames - stop < size // 2:  # no tiny last piece: it would cost its context for little
            stop = total_frames
        spans.append((start, stop))
        start = stop
        size = min(max(size + 1, int(size * plan.growth)), max(1, plan.max_frames))
    return spans


@dataclass(frozen=True, slots=True)
class SplitGraph:
    front: bytes  # inputs as the voice's (input, input_lengths, scales[, sid]) -> the latent
    decoder: bytes  # the latent -> the voice's audio output
    latent_name: str


def split_graph(model: Any) -> SplitGraph | None:
    """Cuts a Piper voice (an ``onnx.ModelProto``) at its decoder's input; None when its graph is not
    cut there cleanly (no such node, or the decoder needs more than the latent, as a multi-speaker voice's
    decoder needs the speaker embedding)."""
    from onnx import TensorProto, helper

    graph = model.graph
    cut = next((node.input[0] for node in graph.node if node.name == DECODER_INPUT_NODE), None)
    if cut is None:
        return None
    producer = {name: index for index, node in enumerate(graph.node) for name in node.output}
    graph_inputs = {value.name for value in graph.input}

    def needed(outputs: list[str], stop: set[str]) -> tuple[list[int], set[str]]:
        """The nodes that compute ``outputs`` (stopping at ``stop``), and the graph inputs they read."""
        nodes: set[int] = set()
        inputs: set[str] = set()
        todo = list(outputs)
        while todo:
            name = todo.pop()
            if name in stop:
                continue
            if name in graph_inputs:
                inputs.add(name)
            index = producer.get(name)
            if index is None or index in nodes:
                continue
            nodes.add(index)
            todo.extend(value for value in graph.node[index].input if value)
        return sorted(nodes), inputs

    output_names = [value.name for value in graph.output]
    front_nodes, _ = needed([cut], set())
    decoder_nodes, decoder_inputs = needed(output_names, {cut})
    if decoder_inputs:
        return None
    latent = helper.make_tensor_value_info(cut, TensorProto.FLOAT, [1, None, None])

    def part(nodes: list[int], inputs: list[Any], outputs: list[Any]) -> bytes:
        chosen = [graph.node[index] for index in nodes]
        used = {value for node in chosen for value in node.input}
        initializers = [tensor for tensor in graph.initializer if tensor.name in used]
        sub = helper.make_graph(chosen, "piper-part", inputs, outputs, initializers)
        serialized: bytes = helper.make_model(sub, opset_imports=model.opset_import,
                                              ir_version=model.ir_version).SerializeToString()
        return serialized

    return SplitGraph(front=part(front_nodes, list(graph.input), [latent]),
                      decoder=part(decoder_nodes, [latent], list(graph.output)), latent_name=cut)


class SplitDecoder:
    """Runs a :class:`SplitGraph`: the front half once per sentence, the decoder piece by piece."""

    def __init__(self, graph: SplitGraph, options: Any, plan: DecodePlan = DecodePlan()) -> None:
        import onnxruntime

        providers = ["CPUExecutionProvider"]
        self.front = onnxruntime.InferenceSession(graph.front, sess_options=options, providers=providers)
        self._decoder = onnxruntime.InferenceSession(graph.decoder, sess_options=options,
                                                     providers=providers)
        self._latent_name = graph.latent_name
        self.plan = plan

    def latent(self, feeds: Mapping[str, npt.NDArray[Any]]) -> Float32Array:
        """The sentence's latent, shape (1, channels, frames)."""
        result: Float32Array = self.front.run(None, dict(feeds))[0]
        return result

    def decode(self, latent: Float32Array, start: int, stop: int) -> Float32Array:
        """The audio of latent frames ``[start, stop)``, decoded with context on both sides."""
        frames = latent.shape[2]
        left = max(0, start - self.plan.context_frames)
        right = min(frames, stop + self.plan.context_frames)
        audio = np.asarray(self._decoder.run(None, {self._latent_name: latent[:, :, left:right]})[0],
                           dtype=np.float32).reshape(-1)
        hop = audio.size // (right - left)
        piece: Float32Array = audio[(start - left) * hop:(stop - left) * hop]
        return piece

    def audio(self, feeds: Mapping[str, npt.NDArray[Any]]) -> Iterator[Float32Array]:
        """A sentence's audio, piece by piece (see :func:`pieces`)."""
        latent = self.latent(feeds)
        for start, stop in pieces(int(latent.shape[2]), self.plan):
            yield self.decode(latent, start, stop)
