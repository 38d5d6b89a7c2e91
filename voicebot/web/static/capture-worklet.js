// AudioWorklet: microphone samples at the context rate in, 20 ms frames of 16 kHz s16le out.
// Runs on the audio thread; the page only forwards the frames to the websocket.
class VoicebotCapture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.targetRate = (options.processorOptions && options.processorOptions.targetRate) || 16000;
    this.step = sampleRate / this.targetRate; // input samples per output sample
    this.frameSamples = Math.round(this.targetRate / 50);
    this.frame = new Int16Array(this.frameSamples);
    this.filled = 0;
    this.position = 0; // fractional read position into the current input block
    this.acc = 0;
    this.accCount = 0;
  }

  process(inputs) {
    const input = inputs[0];
    if (!input || input.length === 0) return true;
    const channel = input[0];
    // Box-filter decimation: average the input samples that fall into each output sample.
    for (let i = 0; i < channel.length; i++) {
      this.acc += channel[i];
      this.accCount += 1;
      this.position += 1;
      if (this.position >= this.step) {
        this.position -= this.step;
        const value = Math.max(-1, Math.min(1, this.acc / this.accCount));
        this.acc = 0;
        this.accCount = 0;
        this.frame[this.filled++] = value < 0 ? value * 0x8000 : value * 0x7fff;
        if (this.filled === this.frameSamples) {
          this.port.postMessage(this.frame.buffer, [this.frame.buffer]);
          this.frame = new Int16Array(this.frameSamples);
          this.filled = 0;
        }
      }
    }
    return true;
  }
}

registerProcessor("voicebot-capture", VoicebotCapture);
