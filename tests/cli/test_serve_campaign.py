"""`voicebot serve --audiosocket` with AMI configured dials campaigns created through the HTTP API."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from pathlib import Path

import httpx

from voicebot.store import KeyStore

REPO = Path(__file__).resolve().parents[2]
CONTACTS = ("phone,customer_name,product_name,monthly_premium,birth_date\n"
            "+15550100001,Ann Lee,Term Life,42.50,1980-03-03\n"
            "+15550100002,Bo Chan,Term Life,42.50,1975-11-30\n")


async def test_campaign_started_over_http_dials_through_the_servers_ami(tmp_path: Path) -> None:
    from tests.telephony.ami_server import LoopbackAmi

    (tmp_path / "dialogues").mkdir()
    shutil.copy(REPO / "dialogues" / "sales_compliance.yml", tmp_path / "dialogues")
    keys = KeyStore(tmp_path / "var" / "voicebot.db")
    _, token = keys.create("ops")
    keys.close()
    # Every number is busy: the campaign must reach Asterisk, and no call needs the voice path.
    ami = LoopbackAmi(username="voicebot", secret="s3cret", outcome_for=lambda phone: "busy")
    await ami.start()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "VOICEBOT_AMI__USERNAME": "voicebot",
           "VOICEBOT_AMI__SECRET": "s3cret", "VOICEBOT_AMI__PORT": str(ami.port)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "voicebot", "serve", "--port", "0", "--audiosocket", "0",
        "--data-dir", str(tmp_path / "var"), "--dialogues-dir", str(tmp_path / "dialogues"),
        cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        assert proc.stdout is not None
        url = ""
        while not url:
            line = (await asyncio.wait_for(proc.stdout.readline(), timeout=180)).decode()
            assert line, "voicebot serve exited before serving"
            if "serving on " in line:
                url = line.split("serving on ")[1].split()[0].rstrip("/")
        auth = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=url, headers=auth, timeout=30) as client:
            created = await client.post("/api/campaigns/", json={
                "dialogue": "sales_compliance", "contacts_csv": CONTACTS, "retries": 0})
            assert created.status_code == 201, created.text
            campaign_id = created.json()["id"]
            started = await client.post(f"/api/campaigns/{campaign_id}/start")
            assert started.status_code == 202, started.text
            for _ in range(300):
                status = (await client.get(f"/api/campaigns/{campaign_id}")).json()
                if status["status"] == "finished":
                    break
                await asyncio.sleep(0.1)
        assert status["status"] == "finished", status
        assert status["outcomes"] == {"busy": 2}
        assert sorted(o.phone for o in ami.originates) == ["+15550100001", "+15550100002"]
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), timeout=120)
        assert proc.returncode == 0, err.decode()[-2000:]
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await ami.close()
