"""What the model gateway costs a run: starting and stopping it, and the latency it adds per call.

Against the fake LLM on 127.0.0.1, the same request is sent N times straight to the fake and N
times through a started gateway (the openai SDK, Chat Completions, JSON and streamed). Printed:
the gateway's start and stop times (median of the runs), and the median and p90 latency per call
each way with their difference, the overhead a call pays for being recorded, budgeted and filtered.
The machine is shared, so the figures are indicative; compare them on one quiet host.

    python benchmarks/gateway.py [--calls 200] [--starts 10]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import openai

from zebench.gateway import ModelGateway, fake_upstreams
from zebench.llm.fake import FakeLLMServer, parse_script

MESSAGES = [{"role": "user", "content": "hello"}]


def _times(call: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def _p90(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.9) - 1]


def _client(base_url: str, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key=key, max_retries=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--starts", type=int, default=10)
    args = parser.parse_args()
    script = parse_script({"default": {"text": "a reply of a few words, streamed in chunks"}})
    with FakeLLMServer(script) as fake:
        starts, stops = [], []
        for _ in range(args.starts):
            gateway = ModelGateway(fake_upstreams(fake.url))
            began = time.perf_counter()
            gateway.start()
            starts.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            gateway.stop()
            stops.append((time.perf_counter() - began) * 1000)
        print(
            f"gateway start: median {statistics.median(starts):.1f} ms; stop: {statistics.median(stops):.1f} ms"
        )
        direct = _client(fake.openai_base_url, "k")
        with ModelGateway(fake_upstreams(fake.url)) as gateway:
            proxied = _client(gateway.host_url + "/v1", gateway.api_key)
            print(
                f"{'per call':<22}{'direct':>10}{'gateway':>10}{'added':>10}   (ms, median / p90, {args.calls} calls)"
            )
            for label, stream in (("chat JSON", False), ("chat streamed", True)):

                def send(client: openai.OpenAI, stream: bool = stream) -> None:
                    reply = client.chat.completions.create(model="m", messages=MESSAGES, stream=stream)  # type: ignore[call-overload]
                    if stream:
                        for _ in reply:
                            pass

                _times(lambda: send(direct), 5)  # warm both connection pools
                _times(lambda: send(proxied), 5)
                a = _times(lambda: send(direct), args.calls)
                b = _times(lambda: send(proxied), args.calls)
                med_a, med_b = statistics.median(a), statistics.median(b)
                print(f"{label:<22}{med_a:>10.2f}{med_b:>10.2f}{med_b - med_a:>10.2f}   median")
                print(f"{'':<22}{_p90(a):>10.2f}{_p90(b):>10.2f}{_p90(b) - _p90(a):>10.2f}   p90")
            recorded = len(gateway.calls)
        print(f"calls recorded by the gateway: {recorded}")


if __name__ == "__main__":
    main()
