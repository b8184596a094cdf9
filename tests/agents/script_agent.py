"""A small agent for the ``command`` adapter's tests: Chat Completions with one bash tool, stdlib only.

    python3 script_agent.py PROMPT_FILE MODEL BASE_URL [PROBE_PORT]

It loops: send the conversation to BASE_URL/v1/chat/completions (the run's gateway), run each bash
call in the working folder, send the output back, until a reply has no tool calls. Each call and its
usage go to $ZEBENCH_EVENTS for zebench's trajectory. With PROBE_PORT it first writes probe.txt in
the working folder: its environment, every process environment it can read, and whether
127.0.0.1:PROBE_PORT (a server on the host) and the gateway can be reached.
"""

import glob
import json
import os
import socket
import subprocess
import sys
import urllib.request
from urllib.parse import urlsplit


def event(**fields):
    with open(os.environ["ZEBENCH_EVENTS"], "a", encoding="utf-8") as handle:
        handle.write(json.dumps(fields) + "\n")


def reach(host, port):
    try:
        socket.create_connection((host, port), timeout=3).close()
        return "connected"
    except OSError as exc:
        return f"refused: {exc}"


def probe(port, base_url):
    lines = [f"{k}={v}" for k, v in sorted(os.environ.items())]
    for path in glob.glob("/proc/[0-9]*/environ"):
        try:
            with open(path, "rb") as handle:
                lines.append(handle.read().replace(b"\0", b"\n").decode("utf-8", "replace"))
        except OSError:
            pass
    gateway = urlsplit(base_url)
    lines.append(f"host-server: {reach('127.0.0.1', port)}")
    lines.append(f"gateway: {reach(gateway.hostname, gateway.port)}")
    with open("probe.txt", "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def main():
    prompt_file, model, base_url = sys.argv[1:4]
    if len(sys.argv) > 4:
        probe(int(sys.argv[4]), base_url)
    with open(prompt_file, encoding="utf-8") as handle:
        messages = [{"role": "user", "content": handle.read()}]
    tools = [
        {
            "type": "function",
            "function": {
                "name": "bash",
                "parameters": {
                    "type": "object",
                    "properties": {"command": {"type": "string"}},
                    "required": ["command"],
                },
            },
        }
    ]
    key = os.environ["OPENAI_API_KEY"]
    for _ in range(20):
        body = json.dumps({"model": model, "messages": messages, "tools": tools}).encode()
        request = urllib.request.Request(
            base_url + "/v1/chat/completions",
            body,
            {"content-type": "application/json", "authorization": f"Bearer {key}"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            reply = json.load(response)
        usage = reply.get("usage") or {}
        event(type="usage", input=usage.get("prompt_tokens", 0), output=usage.get("completion_tokens", 0))
        message = reply["choices"][0]["message"]
        messages.append(message)
        if message.get("content"):
            event(type="message", role="assistant", content=message["content"])
        calls = message.get("tool_calls") or []
        if not calls:
            print(message.get("content") or "")
            return
        for call in calls:
            command = json.loads(call["function"]["arguments"])["command"]
            done = subprocess.run(["bash", "-c", command], capture_output=True, text=True)
            output = done.stdout + done.stderr
            event(type="tool_call", name="bash", arguments={"command": command}, result=output)
            messages.append({"role": "tool", "tool_call_id": call["id"], "content": output})


if __name__ == "__main__":
    main()
