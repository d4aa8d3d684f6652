"""Catalogue of the Weaviate modules the config language knows: parameters, REST keys, credentials.

Pure data (stdlib only, no I/O). The JSON Schema (`core/config/schema.py`) and the semantic validator are generated
from it. Every fact was read from the Weaviate v1.39.3 server source (`modules/<name>/` and
`usecases/modulecomponents/`); parameter names follow the official Python client (v4) where it has one.

A `Param` lists a class-level key the *server reads*. Keys the server only writes as defaults but never reads
(e.g. `vectorizeClassName` of the multi2vec modules, huggingface's top-level `waitForModel`) are left out, and
so are keys the Python client writes that the server ignores (noted next to the module). The source-property
list (`properties`) is handled by weavectl itself and is not a parameter here.

`min_version` is the first `X.Y.0` release whose tree has the module, so every later release has it too; some
modules were also backported into earlier patch releases (noted per module).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ParamType = Literal["string", "integer", "number", "boolean", "string_list", "object", "number_list"]
ModuleKind = Literal["text2vec", "multi2vec", "text2multivec", "multi2multivec", "generative", "reranker"]

# Kinds that embed text only: they honour the per-property `skip` / `vectorizePropertyName` settings.
TEXT_KINDS: tuple[ModuleKind, ...] = ("text2vec", "text2multivec")

# Weaviate Embeddings (text2vec-weaviate, multi2multivec-weaviate) also need this header, holding the URL of
# the Weaviate cluster itself. It is not a secret, so it is not a Credential: weavectl derives it from the
# connection URL.
WEAVIATE_CLUSTER_URL_HEADER = "X-Weaviate-Cluster-Url"


@dataclass(frozen=True)
class Param:
    name: str  # snake_case name users write in YAML, e.g. "base_url"
    rest_key: str  # exact key in Weaviate's REST moduleConfig, e.g. "baseURL"
    type: ParamType
    enum: tuple[str, ...] | None = None  # only where the server itself restricts values
    description: str = ""


@dataclass(frozen=True)
class Credential:
    name: str  # key-source id used in the YAML `api_keys:` map, e.g. "openai", "aws_access_key"
    header: str  # HTTP header Weaviate reads it from, spelled as the server looks it up
    server_env: str | None  # env var the *server* may hold instead, e.g. "OPENAI_APIKEY"


@dataclass(frozen=True)
class ModuleSpec:
    name: str  # REST module name, "text2vec-openai"
    kind: ModuleKind
    family: str  # provider family, e.g. "openai", "google", "transformers"
    params: tuple[Param, ...]
    credentials: tuple[str, ...] = ()  # Credential names this module needs (all of them)
    # Credential names that replace `credentials` in the module's other mode (Azure for the openai modules).
    credential_alternatives: tuple[str, ...] = ()
    optional_credentials: tuple[str, ...] = ()  # sent when configured, never required (AWS session token)
    local: bool = False  # talks to a local inference container / server instead of a hosted API
    auto_enabled: bool = True  # registered by default on 1.33+ servers (unless API_BASED_MODULES_DISABLED)
    deprecated: str | None = None
    aliases: tuple[str, ...] = ()  # legacy module names the server still accepts (AltNames)
    min_version: str | None = None  # first X.Y.0 release with the module, where known
    required: tuple[str, ...] = ()  # snake_case params the server rejects a class without

    @property
    def has_property_settings(self) -> bool:
        """Per-property `skip` / `vectorizePropertyName` apply: only text modules read them."""
        return self.kind in TEXT_KINDS

    @property
    def all_credentials(self) -> tuple[str, ...]:
        """Every credential the module may send: required, alternative-mode and optional."""
        return (*self.credentials, *self.credential_alternatives, *self.optional_credentials)


# --------------------------------------------------------------------------------------------------------
# Credentials
# --------------------------------------------------------------------------------------------------------
# Over REST, Weaviate stores every `X-*` header under Go's canonical spelling (`X-Openai-Api-Key`) and the
# modules look headers up by exact string. A lookup spelled otherwise (`X-ContextualAI-Api-Key`) can then only
# match over gRPC, where metadata keys are lower-cased on both sides: for those, prefer the server env var.
# Unless noted, the header wins over the server env var.

_CREDENTIALS: tuple[Credential, ...] = (
    Credential("openai", "X-Openai-Api-Key", "OPENAI_APIKEY"),
    # Azure OpenAI: same modules (text2vec-openai / generative-openai) in Azure mode (resource_name +
    # deployment_id, or is_azure); the key is forwarded upstream as `api-key`.
    Credential("azure_openai", "X-Azure-Api-Key", "AZURE_APIKEY"),
    Credential("cohere", "X-Cohere-Api-Key", "COHERE_APIKEY"),
    Credential("nvidia", "X-Nvidia-Api-Key", "NVIDIA_APIKEY"),
    # Weaviate Embeddings reuses the caller's own Weaviate API key: the `Authorization` header of the request
    # (passed through as-is, so "Bearer <key>"), plus WEAVIATE_CLUSTER_URL_HEADER. No server-side fallback.
    Credential("weaviate", "Authorization", None),
    # AWS: the server falls back to AWS_ACCESS_KEY / AWS_SECRET_KEY when these env vars are unset.
    Credential("aws_access_key", "X-Aws-Access-Key", "AWS_ACCESS_KEY_ID"),
    Credential("aws_secret_key", "X-Aws-Secret-Key", "AWS_SECRET_ACCESS_KEY"),
    Credential("aws_session_token", "X-Aws-Session-Token", "AWS_SESSION_TOKEN"),
    # Google (Vertex AI and AI Studio): endpoint-specific headers are tried first (X-Goog-Vertex-Api-Key /
    # X-Google-Vertex-Api-Key for Vertex, X-Goog-Studio-Api-Key / X-Google-Studio-Api-Key for AI Studio),
    # then X-Goog-Api-Key, X-Palm-Api-Key, X-Google-Api-Key. Vertex only: USE_GOOGLE_AUTH=true on the server
    # makes it mint tokens from Google application-default credentials. Env fallback: GOOGLE_APIKEY, then
    # PALM_APIKEY.
    Credential("google", "X-Goog-Api-Key", "GOOGLE_APIKEY"),
    Credential("huggingface", "X-Huggingface-Api-Key", "HUGGINGFACE_APIKEY"),
    # reranker-jinaai and reranker-voyageai check the server env var *before* the header.
    Credential("jinaai", "X-Jinaai-Api-Key", "JINAAI_APIKEY"),
    Credential("voyageai", "X-Voyageai-Api-Key", "VOYAGEAI_APIKEY"),
    Credential("mistral", "X-Mistral-Api-Key", "MISTRAL_APIKEY"),
    Credential("databricks", "X-Databricks-Token", "DATABRICKS_TOKEN"),
    # text2vec-morph embeds through the shared OpenAI client, so its key travels in the OpenAI header: one
    # request cannot carry different keys for text2vec-openai and text2vec-morph.
    Credential("morph", "X-Openai-Api-Key", "MORPH_APIKEY"),
    Credential("digitalocean", "X-Digitalocean-Api-Key", "DIGITALOCEAN_APIKEY"),
    Credential("twelvelabs", "X-Twelvelabs-Api-Key", "TWELVELABS_APIKEY"),
    Credential("anthropic", "X-Anthropic-Api-Key", "ANTHROPIC_APIKEY"),
    Credential("anyscale", "X-Anyscale-Api-Key", "ANYSCALE_APIKEY"),
    # Not in Go's canonical form: matches over gRPC only (see above); use the server env var for REST.
    Credential("contextualai", "X-ContextualAI-Api-Key", "CONTEXTUALAI_APIKEY"),
    Credential("deepseek", "X-Deepseek-Api-Key", "DEEPSEEK_APIKEY"),
    Credential("friendliai", "X-Friendli-Token", "FRIENDLI_TOKEN"),
    Credential("meta", "X-Meta-Api-Key", "META_APIKEY"),
    Credential("xai", "X-Xai-Api-Key", "XAI_APIKEY"),
)

CREDENTIALS: dict[str, Credential] = {c.name: c for c in _CREDENTIALS}


# --------------------------------------------------------------------------------------------------------
# Shared parameters
# --------------------------------------------------------------------------------------------------------


def _p(
    name: str, rest_key: str, type_: ParamType, description: str, enum: tuple[str, ...] | None = None
) -> Param:
    return Param(name=name, rest_key=rest_key, type=type_, enum=enum, description=description)


VECTORIZE_COLLECTION_NAME = _p(
    "vectorize_collection_name", "vectorizeClassName", "boolean",
    "prefix the collection name to the embedded text (read-default true; each module writes its own default)",
)
MODEL = _p("model", "model", "string", "provider model name")
BASE_URL = _p("base_url", "baseURL", "string", "provider API base URL (a proxy or compatible endpoint)")
DIMENSIONS = _p("dimensions", "dimensions", "integer", "output vector size, for models that support several")
API_ENDPOINT = _p("api_endpoint", "apiEndpoint", "string", "provider API host or URL")
INFERENCE_URL = _p("inference_url", "inferenceUrl", "string",
                   "inference container URL for this collection (overrides the server env var)")
REGION = _p("region", "region", "string", "AWS region")
PROJECT_ID = _p("project_id", "projectId", "string",
                "Google Cloud project (Vertex AI; not used with the AI Studio endpoint)")
LOCATION = _p("location", "location", "string", "Google Cloud region of the Vertex AI endpoint")
MODEL_ID = _p("model_id", "modelId", "string", "legacy spelling of `model`; `model` wins when both are set")

# Generation settings (each generative module reads its own subset).
TEMPERATURE = _p("temperature", "temperature", "number", "sampling temperature")
MAX_TOKENS = _p("max_tokens", "maxTokens", "integer", "upper bound on generated tokens")
TOP_P = _p("top_p", "topP", "number", "nucleus-sampling probability mass")
TOP_K = _p("top_k", "topK", "integer", "sample from the k most likely tokens")
FREQUENCY_PENALTY = _p("frequency_penalty", "frequencyPenalty", "number", "penalty on frequent tokens")
PRESENCE_PENALTY = _p("presence_penalty", "presencePenalty", "number", "penalty on tokens already present")
STOP_SEQUENCES = _p("stop_sequences", "stopSequences", "string_list", "strings that end generation")
STOP = _p("stop", "stop", "string_list", "strings that end generation")

# multi2vec field lists: names of the object properties holding each medium.
TEXT_FIELDS = _p("text_fields", "textFields", "string_list", "properties holding text")
IMAGE_FIELDS = _p("image_fields", "imageFields", "string_list", "properties holding images (blob, base64)")
AUDIO_FIELDS = _p("audio_fields", "audioFields", "string_list", "properties holding audio (blob)")
VIDEO_FIELDS = _p("video_fields", "videoFields", "string_list", "properties holding video (blob)")
DEPTH_FIELDS = _p("depth_fields", "depthFields", "string_list", "properties holding depth maps (blob)")
THERMAL_FIELDS = _p("thermal_fields", "thermalFields", "string_list", "properties holding thermal images")
# The server reads `imuFields`; the Python client writes `IMUFields`, which the server ignores.
IMU_FIELDS = _p("imu_fields", "imuFields", "string_list", "properties holding IMU readings (blob)")
WEIGHTS = _p(
    "weights", "weights", "object",
    "per-field weights: {textFields: [...], imageFields: [...], ...}, one number per listed property",
)

# Enumerations the server validates.
_COHERE_TRUNCATE = ("NONE", "START", "END", "LEFT", "RIGHT")
_NVIDIA_TRUNCATE = ("NONE", "START", "END")
_AZURE_API_VERSIONS_EMBED = (
    "2022-12-01", "2023-03-15-preview", "2023-05-15", "2023-06-01-preview", "2023-07-01-preview",
    "2023-08-01-preview", "2023-09-01-preview", "2023-12-01-preview", "2024-02-15-preview",
    "2024-03-01-preview", "2024-02-01",
)
# generative-openai accepts one version more, and validates it even outside Azure mode.
_AZURE_API_VERSIONS_GENERATIVE = (*_AZURE_API_VERSIONS_EMBED, "2024-06-01")
_GOOGLE_TASK_TYPES = (
    "RETRIEVAL_QUERY", "QUESTION_ANSWERING", "FACT_VERIFICATION", "CODE_RETRIEVAL_QUERY", "CLASSIFICATION",
    "CLUSTERING", "SEMANTIC_SIMILARITY",
)

# Azure OpenAI settings, shared by the embedding and generative openai modules.
RESOURCE_NAME = _p("resource_name", "resourceName", "string",
                   "Azure OpenAI resource; with deployment_id it switches the module to Azure")
DEPLOYMENT_ID = _p("deployment_id", "deploymentId", "string", "Azure OpenAI deployment")
IS_AZURE = _p("is_azure", "isAzure", "boolean",
              "force Azure mode (else implied by resource_name + deployment_id)")


WEAVIATE_BASE_URL = _p("base_url", "baseURL", "string",
                       "Weaviate Embeddings endpoint (empty: the hosted service)")
OLLAMA_API_ENDPOINT = _p("api_endpoint", "apiEndpoint", "string",
                         "Ollama URL, as reached from the Weaviate server")
ENDPOINT_PATH = _p("endpoint", "endpoint", "string",
                   "request path appended to base_url (default /v1/embeddings)")
GOOGLE_API_ENDPOINT = _p(
    "api_endpoint", "apiEndpoint", "string",
    "Google API host: <region>-aiplatform.googleapis.com (Vertex AI, default) or "
    "generativelanguage.googleapis.com (AI Studio)",
)
# AWS target selection, shared by text2vec-aws and generative-aws.
_AWS_TARGET: tuple[Param, ...] = (
    _p("service", "service", "string", "bedrock (needs model) or sagemaker (needs endpoint)",
       ("bedrock", "sagemaker")),
    _p("model", "model", "string", "Bedrock model id (bedrock only, required there)"),
    _p("endpoint", "endpoint", "string", "SageMaker endpoint name (sagemaker only, required there)"),
    _p("target_model", "targetModel", "string", "SageMaker multi-model target"),
    _p("target_variant", "targetVariant", "string", "SageMaker production variant"),
)


def _text2vec(*params: Param) -> tuple[Param, ...]:
    """Every text embedding module reads vectorizeClassName (through the shared base settings)."""
    return (*params, VECTORIZE_COLLECTION_NAME)


# --------------------------------------------------------------------------------------------------------
# Modules
# --------------------------------------------------------------------------------------------------------

_TEXT2VEC: tuple[ModuleSpec, ...] = (
    ModuleSpec(
        "text2vec-nvidia", "text2vec", "nvidia",
        _text2vec(
            MODEL,
            # The server stores its default under `baseUrl` but reads `baseURL` (so a user value gives both).
            BASE_URL,
            _p("truncate", "truncate", "string", "how over-long input is cut", _NVIDIA_TRUNCATE),
        ),
        credentials=("nvidia",), min_version="1.29.0",  # also backported to 1.28.5
    ),
    ModuleSpec(
        "text2vec-weaviate", "text2vec", "weaviate",
        _text2vec(MODEL, WEAVIATE_BASE_URL, DIMENSIONS),
        credentials=("weaviate",), min_version="1.27.0",
    ),
    ModuleSpec(
        "text2vec-openai", "text2vec", "openai",
        _text2vec(
            MODEL,
            _p("model_version", "modelVersion", "string",
               "legacy model version 001/002/003 (not for v3 models)"),
            _p("type", "type", "string", "legacy document type", ("text", "code")),
            DIMENSIONS,
            BASE_URL,
            # Since 1.39.0 (backported to 1.36.19, 1.37.10, 1.38.2); older servers ignore it.
            ENDPOINT_PATH,
            RESOURCE_NAME,
            DEPLOYMENT_ID,
            _p("api_version", "apiVersion", "string", "Azure OpenAI API version", _AZURE_API_VERSIONS_EMBED),
            IS_AZURE,
        ),
        credentials=("openai",), credential_alternatives=("azure_openai",), min_version="1.10.0",
    ),
    ModuleSpec(
        "text2vec-cohere", "text2vec", "cohere",
        _text2vec(
            MODEL,
            # Stored default key is `baseUrl`; the key read is `baseURL` (as text2vec-nvidia).
            BASE_URL,
            DIMENSIONS,
            _p("truncate", "truncate", "string", "how over-long input is cut", _COHERE_TRUNCATE),
        ),
        credentials=("cohere",), min_version="1.16.0",
    ),
    ModuleSpec(
        "text2vec-aws", "text2vec", "aws",
        _text2vec(
            REGION,
            *_AWS_TARGET,
            DIMENSIONS,
        ),
        credentials=("aws_access_key", "aws_secret_key"), optional_credentials=("aws_session_token",),
        required=("region",), min_version="1.23.0",  # also backported to 1.22.5
    ),
    ModuleSpec(
        "text2vec-google", "text2vec", "google",
        _text2vec(
            GOOGLE_API_ENDPOINT,
            PROJECT_ID,
            LOCATION,
            MODEL,
            MODEL_ID,
            DIMENSIONS,
            _p("task_type", "taskType", "string", "embedding task type", _GOOGLE_TASK_TYPES),
            _p("title_property", "titleProperty", "string", "property sent as the document title"),
        ),
        credentials=("google",), aliases=("text2vec-palm",),
        # text2vec-google since 1.27.0 (backported to 1.25.21); named text2vec-palm since 1.19.1.
        min_version="1.27.0",
    ),
    ModuleSpec(
        "text2vec-huggingface", "text2vec", "huggingface",
        _text2vec(
            MODEL,
            # model and passage_model are alternatives (the server rejects both, unless endpoint_url is set).
            # The client's `queryModel` is not read by the server.
            _p("passage_model", "passageModel", "string", "model for documents (alternative to `model`)"),
            # The server reads `endpointUrl` first, then `endpointURL` (what the Python client writes).
            _p("endpoint_url", "endpointURL", "string", "dedicated Inference Endpoint URL (replaces model)"),
            # The server writes waitForModel/useGPU/useCache defaults at the top level but reads them only
            # from this sub-object: the top-level keys (the Python client's wait_for_model, ...) do nothing.
            _p("options", "options", "object",
               "inference options {waitForModel, useGPU, useCache}, booleans"),
        ),
        credentials=("huggingface",), min_version="1.15.0",
    ),
    ModuleSpec(
        "text2vec-jinaai", "text2vec", "jinaai",
        _text2vec(MODEL, BASE_URL, DIMENSIONS),
        credentials=("jinaai",), min_version="1.23.0",  # also backported to 1.22.3
    ),
    ModuleSpec(
        "text2vec-mistral", "text2vec", "mistral",
        # From 1.31 the module writes `skip: true` into every property by default: text is only embedded when
        # the user lists source properties or sets skip: false.
        _text2vec(MODEL, _p("base_url", "baseURL", "string", "full embeddings URL, path included")),
        credentials=("mistral",), min_version="1.27.0",  # also backported to 1.25.13
    ),
    ModuleSpec(
        "text2vec-voyageai", "text2vec", "voyageai",
        _text2vec(MODEL, BASE_URL, DIMENSIONS,
                  _p("truncate", "truncate", "boolean", "cut over-long input instead of failing")),
        credentials=("voyageai",), min_version="1.25.0",  # also backported to 1.24.2
    ),
    ModuleSpec(
        "text2vec-databricks", "text2vec", "databricks",
        _text2vec(
            _p("endpoint", "endpoint", "string", "full URL of the Databricks serving endpoint"),
            _p("instruction", "instruction", "string",
               "instruction prefixed to the input (instructor models)"),
        ),
        credentials=("databricks",), required=("endpoint",),
        min_version="1.27.0",  # also backported to 1.26.3
    ),
    ModuleSpec(
        "text2vec-octoai", "text2vec", "octoai",
        _text2vec(MODEL, BASE_URL),
        deprecated="OctoAI has shut down: every vectorization with this module fails",
        min_version="1.25.0",
    ),
    ModuleSpec(
        "text2vec-ollama", "text2vec", "ollama",
        _text2vec(OLLAMA_API_ENDPOINT, MODEL),
        local=True, auto_enabled=False, min_version="1.25.0",
    ),
    ModuleSpec(
        "text2vec-transformers", "text2vec", "transformers",
        _text2vec(
            # Not restricted by the server (the Python client offers masked_mean and cls).
            _p("pooling_strategy", "poolingStrategy", "string", "token pooling, e.g. masked_mean or cls"),
            # Either inference_url, or both passage_ and query_inference_url (the server rejects mixes).
            INFERENCE_URL,
            _p("passage_inference_url", "passageInferenceUrl", "string", "container used for documents"),
            _p("query_inference_url", "queryInferenceUrl", "string", "container used for queries"),
            DIMENSIONS,
        ),
        local=True, auto_enabled=False, min_version="1.2.0",
    ),
    ModuleSpec(
        "text2vec-gpt4all", "text2vec", "gpt4all",
        _text2vec(),
        local=True, auto_enabled=False, min_version="1.21.0",
    ),
    ModuleSpec(
        "text2vec-model2vec", "text2vec", "model2vec",
        _text2vec(INFERENCE_URL),
        local=True, auto_enabled=False, min_version="1.31.0",
    ),
    ModuleSpec(
        "text2vec-contextionary", "text2vec", "contextionary",
        _text2vec(),
        local=True, auto_enabled=False, min_version="1.0.0",
    ),
    ModuleSpec(
        "text2vec-digitalocean", "text2vec", "digitalocean",
        # The server takes no dimensions (the DigitalOcean API has none yet).
        _text2vec(_p("model", "model", "string", "model id from the endpoint's model list"), BASE_URL),
        credentials=("digitalocean",), required=("model",),
        min_version="1.38.0",  # also backported to 1.35.21
    ),
    ModuleSpec(
        "text2vec-morph", "text2vec", "morph",
        _text2vec(MODEL, BASE_URL, ENDPOINT_PATH),
        credentials=("morph",), min_version="1.33.0",  # also backported to 1.32.6
    ),
)

_TEXT2MULTIVEC: tuple[ModuleSpec, ...] = (
    ModuleSpec(
        "text2multivec-jinaai", "text2multivec", "jinaai",
        _text2vec(MODEL, BASE_URL, DIMENSIONS),
        credentials=("jinaai",), aliases=("text2colbert-jinaai",),
        # text2multivec-jinaai since 1.32.0 (backported to 1.29.9); named text2colbert-jinaai in 1.28.0.
        min_version="1.32.0",
    ),
)

# Note for all multi2vec modules: the server does not insist on any *_fields list (its presence check never
# fires), but an object is only embedded from the properties listed.
_MULTI2VEC: tuple[ModuleSpec, ...] = (
    ModuleSpec(
        "multi2vec-clip", "multi2vec", "clip",
        (TEXT_FIELDS, IMAGE_FIELDS, WEIGHTS, INFERENCE_URL),
        local=True, auto_enabled=False, min_version="1.9.0",
    ),
    ModuleSpec(
        "multi2vec-bind", "multi2vec", "bind",
        (TEXT_FIELDS, IMAGE_FIELDS, AUDIO_FIELDS, VIDEO_FIELDS, DEPTH_FIELDS, THERMAL_FIELDS, IMU_FIELDS,
         WEIGHTS),
        local=True, auto_enabled=False, min_version="1.21.0",
    ),
    ModuleSpec(
        "multi2vec-nvidia", "multi2vec", "nvidia",
        # The Python client's `truncation` is not read by this module.
        (TEXT_FIELDS, IMAGE_FIELDS, WEIGHTS, MODEL, BASE_URL),
        credentials=("nvidia",), min_version="1.29.0",  # also backported to 1.28.5
        ),
    ModuleSpec(
        "multi2vec-google", "multi2vec", "google",
        (
            TEXT_FIELDS, IMAGE_FIELDS, VIDEO_FIELDS, AUDIO_FIELDS, WEIGHTS,
            GOOGLE_API_ENDPOINT,
            PROJECT_ID, LOCATION, MODEL, MODEL_ID,
            # For multimodalembedding@001 only 128/256/512/1408 (and 1408 with video) are accepted.
            DIMENSIONS,
            # For multimodalembedding@001 only 4/8/15/120 are accepted.
            _p("video_interval_seconds", "videoIntervalSeconds", "integer", "seconds of video per embedding"),
        ),
        credentials=("google",), aliases=("multi2vec-palm",),
        # multi2vec-google since 1.27.0 (backported to 1.25.21); named multi2vec-palm since 1.24.3.
        min_version="1.27.0",
    ),
    ModuleSpec(
        "multi2vec-cohere", "multi2vec", "cohere",
        # Not enum-checked by this module (unlike text2vec-cohere); Cohere itself takes NONE/START/END.
        (TEXT_FIELDS, IMAGE_FIELDS, WEIGHTS, MODEL, BASE_URL, DIMENSIONS,
         _p("truncate", "truncate", "string", "how over-long input is cut")),
        credentials=("cohere",), min_version="1.28.0",  # also backported to 1.25.25
        ),
    ModuleSpec(
        "multi2vec-voyageai", "multi2vec", "voyageai",
        # The server reads `truncate`; the Python client writes `truncation`, which it ignores. dimensions is
        # not read by this module either.
        (TEXT_FIELDS, IMAGE_FIELDS, VIDEO_FIELDS, WEIGHTS, MODEL, BASE_URL,
         _p("truncate", "truncate", "boolean", "cut over-long input instead of failing")),
        credentials=("voyageai",), min_version="1.28.0",  # also backported to 1.25.28
        ),
    ModuleSpec(
        "multi2vec-jinaai", "multi2vec", "jinaai",
        # dimensions: 64..1024 for jina-clip-v2, exactly 768 for jina-clip-v1.
        (TEXT_FIELDS, IMAGE_FIELDS, WEIGHTS, MODEL, BASE_URL, DIMENSIONS),
        credentials=("jinaai",), min_version="1.28.0",  # also backported to 1.25.26
        ),
    ModuleSpec(
        "multi2vec-aws", "multi2vec", "aws",
        # Bedrock only. region is not checked at create but every call needs it.
        (TEXT_FIELDS, IMAGE_FIELDS, WEIGHTS, REGION, MODEL, DIMENSIONS),
        credentials=("aws_access_key", "aws_secret_key"), optional_credentials=("aws_session_token",),
        min_version="1.33.0",  # also backported to 1.32.6
        ),
    ModuleSpec(
        "multi2vec-twelvelabs", "multi2vec", "twelvelabs",
        (TEXT_FIELDS, IMAGE_FIELDS, WEIGHTS, MODEL, BASE_URL),
        credentials=("twelvelabs",), min_version="1.39.0",  # also backported to 1.38.9
        ),
)

_MULTI2MULTIVEC: tuple[ModuleSpec, ...] = (
    ModuleSpec(
        "multi2multivec-jinaai", "multi2multivec", "jinaai",
        # Exactly one of text_fields / image_fields, naming a single property; weights are rejected.
        (TEXT_FIELDS, IMAGE_FIELDS, MODEL, BASE_URL),
        credentials=("jinaai",), min_version="1.32.0",
    ),
    ModuleSpec(
        "multi2multivec-weaviate", "multi2multivec", "weaviate",
        (IMAGE_FIELDS, MODEL, WEAVIATE_BASE_URL),
        credentials=("weaviate",), min_version="1.35.0",
    ),
)

_GENERATIVE: tuple[ModuleSpec, ...] = (
    ModuleSpec(
        "generative-anthropic", "generative", "anthropic",
        # stopSequences is read as a native string list, which a stored JSON array never is: it has no
        # effect from the class config in 1.39.3 (pass it per query instead).
        (MODEL, BASE_URL, MAX_TOKENS, TEMPERATURE, TOP_K, TOP_P, STOP_SEQUENCES),
        credentials=("anthropic",), min_version="1.26.0",
    ),
    ModuleSpec(
        "generative-anyscale", "generative", "anyscale",
        (MODEL, BASE_URL, TEMPERATURE),
        credentials=("anyscale",), min_version="1.23.0",
    ),
    ModuleSpec(
        "generative-aws", "generative", "aws",
        (
            REGION,
            *_AWS_TARGET,
            MAX_TOKENS, TEMPERATURE, TOP_P, TOP_K,
            # Read like generative-anthropic's: no effect from a stored class config.
            STOP_SEQUENCES,
            # Legacy spellings of maxTokens, still read when maxTokens is absent.
            _p("max_token_count", "maxTokenCount", "integer", "legacy: use max_tokens"),
            _p("max_tokens_to_sample", "maxTokensToSample", "integer",
               "legacy, Anthropic models: use max_tokens"),
        ),
        credentials=("aws_access_key", "aws_secret_key"), optional_credentials=("aws_session_token",),
        min_version="1.23.0",  # also backported to 1.22.5
        ),
    ModuleSpec(
        "generative-cohere", "generative", "cohere",
        # The Python client's returnLikelihoods is not read by the server.
        (MODEL, BASE_URL, TEMPERATURE, MAX_TOKENS, _p("k", "k", "integer", "top-k sampling"), STOP_SEQUENCES),
        credentials=("cohere",), min_version="1.19.0",
    ),
    ModuleSpec(
        "generative-databricks", "generative", "databricks",
        # endpoint is not checked at create, but every call needs it (or the X-Databricks-Endpoint header).
        (_p("endpoint", "endpoint", "string", "full URL of the Databricks serving endpoint"),
         MAX_TOKENS, TEMPERATURE, TOP_P, TOP_K),
        credentials=("databricks",), min_version="1.27.0",  # also backported to 1.26.3
        ),
    ModuleSpec(
        "generative-friendliai", "generative", "friendliai",
        # The server also honours a class-level key literally named "X-Friendli-Baseurl" over baseURL.
        (MODEL, BASE_URL, TEMPERATURE, MAX_TOKENS),
        credentials=("friendliai",), min_version="1.27.0",  # also backported to 1.26.3
        ),
    ModuleSpec(
        "generative-google", "generative", "google",
        (
            _p("api_endpoint", "apiEndpoint", "string",
               "Google API host (default: Vertex AI with project_id, AI Studio without)"),
            PROJECT_ID,
            _p("endpoint_id", "endpointId", "string", "Vertex AI endpoint id (deployed custom model)"),
            _p("region", "region", "string", "Vertex AI region"),
            LOCATION,
            MODEL,
            MODEL_ID,
            TEMPERATURE,
            # The server reads `tokenLimit`; the Python client writes `maxOutputTokens`, which it ignores.
            _p("max_output_tokens", "tokenLimit", "integer", "upper bound on generated tokens"),
            TOP_K,
            TOP_P,
        ),
        credentials=("google",), aliases=("generative-palm",),
        # generative-google since 1.27.0 (backported to 1.25.21); named generative-palm since 1.19.1.
        min_version="1.27.0",
    ),
    ModuleSpec(
        "generative-mistral", "generative", "mistral",
        (MODEL, BASE_URL, TEMPERATURE, MAX_TOKENS),
        credentials=("mistral",), min_version="1.25.0",  # also backported to 1.24.2
        ),
    ModuleSpec(
        "generative-nvidia", "generative", "nvidia",
        (MODEL, BASE_URL, TEMPERATURE, TOP_P, MAX_TOKENS),
        credentials=("nvidia",), min_version="1.29.0",  # also backported to 1.28.5
        ),
    ModuleSpec(
        "generative-openai", "generative", "openai",
        (
            MODEL,
            BASE_URL,
            MAX_TOKENS,
            TEMPERATURE,
            TOP_P,
            FREQUENCY_PENALTY,
            PRESENCE_PENALTY,
            _p("reasoning_effort", "reasoningEffort", "string", "reasoning effort (reasoning models)",
               ("minimal", "low", "medium", "high")),
            _p("verbosity", "verbosity", "string", "answer length (gpt-5 models)", ("low", "medium", "high")),
            RESOURCE_NAME,
            DEPLOYMENT_ID,
            _p("api_version", "apiVersion", "string", "Azure OpenAI API version",
               _AZURE_API_VERSIONS_GENERATIVE),
            IS_AZURE,
        ),
        credentials=("openai",), credential_alternatives=("azure_openai",),
        min_version="1.18.0",  # also backported to 1.17.3
        ),
    ModuleSpec(
        "generative-ollama", "generative", "ollama",
        (OLLAMA_API_ENDPOINT, MODEL),
        local=True, auto_enabled=False, min_version="1.25.0",
    ),
    ModuleSpec(
        "generative-octoai", "generative", "octoai",
        (),  # reads no class settings at all any more
        deprecated="OctoAI has shut down: every generation with this module fails",
        min_version="1.25.0",
    ),
    ModuleSpec(
        "generative-xai", "generative", "xai",
        (MODEL, BASE_URL, TEMPERATURE, TOP_P, MAX_TOKENS),
        credentials=("xai",), min_version="1.30.0",
    ),
    ModuleSpec(
        "generative-deepseek", "generative", "deepseek",
        (MODEL, BASE_URL, TEMPERATURE, MAX_TOKENS, FREQUENCY_PENALTY, PRESENCE_PENALTY, TOP_P, STOP),
        credentials=("deepseek",), min_version="1.39.0",  # also backported to 1.36.19
        ),
    ModuleSpec(
        "generative-contextualai", "generative", "contextualai",
        (
            MODEL,
            TEMPERATURE,
            TOP_P,
            _p("max_new_tokens", "maxNewTokens", "integer", "upper bound on generated tokens"),
            _p("system_prompt", "systemPrompt", "string", "system prompt"),
            _p("avoid_commentary", "avoidCommentary", "boolean", "answer without commentary"),
            _p("knowledge", "knowledge", "string_list", "extra knowledge passages sent with every prompt"),
        ),
        credentials=("contextualai",), min_version="1.34.0",
    ),
    # Present in v1.39.3 but not in the v1.39.0 tag: first patch release unknown.
    ModuleSpec(
        "generative-digitalocean", "generative", "digitalocean",
        (MODEL, BASE_URL, TEMPERATURE, TOP_P, MAX_TOKENS, FREQUENCY_PENALTY, PRESENCE_PENALTY, STOP),
        credentials=("digitalocean",),
    ),
    ModuleSpec(
        "generative-meta", "generative", "meta",
        (MODEL, BASE_URL, TEMPERATURE, TOP_P, MAX_TOKENS, FREQUENCY_PENALTY, PRESENCE_PENALTY,
         _p("reasoning_effort", "reasoningEffort", "string", "reasoning effort",
            ("none", "minimal", "low", "medium", "high", "xhigh"))),
        credentials=("meta",),
    ),
)

_RERANKER: tuple[ModuleSpec, ...] = (
    ModuleSpec(
        "reranker-cohere", "reranker", "cohere",
        (MODEL, BASE_URL),
        credentials=("cohere",), min_version="1.20.0",
    ),
    ModuleSpec(
        "reranker-jinaai", "reranker", "jinaai",
        (MODEL,),  # fixed API host, no base URL setting
        credentials=("jinaai",), min_version="1.27.0",  # also backported to 1.26.1
        ),
    ModuleSpec(
        "reranker-nvidia", "reranker", "nvidia",
        (MODEL, BASE_URL),
        credentials=("nvidia",), min_version="1.29.0",  # also backported to 1.28.5
        ),
    ModuleSpec(
        "reranker-voyageai", "reranker", "voyageai",
        (MODEL,),  # fixed API host, no base URL setting
        credentials=("voyageai",), min_version="1.25.0",  # also backported to 1.24.7
        ),
    ModuleSpec(
        "reranker-transformers", "reranker", "transformers",
        (),  # the container is set server-wide (RERANKER_INFERENCE_API); no class settings
        local=True, auto_enabled=False, min_version="1.20.0",
    ),
    ModuleSpec(
        "reranker-contextualai", "reranker", "contextualai",
        (MODEL,
         _p("instruction", "instruction", "string", "instruction steering the ranking"),
         _p("top_n", "topN", "integer", "results to keep (0: all)")),
        credentials=("contextualai",), min_version="1.34.0",
    ),
)

# Left out on purpose: test-only modules (text2vec-bigram, multi2vec-dummy, generative-dummy, reranker-dummy)
# and modules that are not vectorizers, generators or rerankers (qna-*, sum-*, ner-*, img2vec-neural,
# ref2vec-centroid, text-spellcheck, backup-*, offload-*, usage-*).
MODULES: dict[str, ModuleSpec] = {
    spec.name: spec
    for spec in (*_TEXT2VEC, *_TEXT2MULTIVEC, *_MULTI2VEC, *_MULTI2MULTIVEC, *_GENERATIVE, *_RERANKER)
}

# Legacy name -> current REST name.
ALIASES: dict[str, str] = {alias: spec.name for spec in MODULES.values() for alias in spec.aliases}


def lookup(name: str) -> ModuleSpec | None:
    """The module registered under `name` or under a legacy alias of it; None when unknown."""
    spec = MODULES.get(name)
    if spec is not None:
        return spec
    target = ALIASES.get(name)
    return MODULES[target] if target is not None else None


def kind_of(module: str) -> str | None:
    spec = lookup(module)
    return spec.kind if spec else None


def same_module(a: str | None, b: str | None) -> bool:
    """text2vec-palm and text2vec-google are one module: the server keeps whichever spelling it was sent."""
    if a is None or b is None:
        return a == b
    spec = lookup(a)
    return a == b or (spec is not None and lookup(b) is spec)


def credentials_of(module: str) -> tuple[str, ...]:
    """The credentials a (possibly unknown) module requires; none for a module weavectl does not know."""
    spec = lookup(module)
    return spec.credentials if spec else ()


def module_names(kind: ModuleKind | None = None) -> list[str]:
    """REST names (aliases excluded) of all modules, or of one kind, sorted."""
    return sorted(name for name, spec in MODULES.items() if kind is None or spec.kind == kind)


def _check_catalog() -> None:
    """Fail at import on an inconsistent edit, rather than later in a generated schema."""
    problems: list[str] = []
    for name, spec in MODULES.items():
        if not name.startswith(spec.kind + "-"):
            problems.append(f"{name}: name does not match kind {spec.kind}")
        param_names = [p.name for p in spec.params]
        rest_keys = [p.rest_key for p in spec.params]
        if len(set(param_names)) != len(param_names) or len(set(rest_keys)) != len(rest_keys):
            problems.append(f"{name}: duplicate parameter name or REST key")
        for req in spec.required:
            if req not in param_names:
                problems.append(f"{name}: required {req!r} is not a parameter")
        for cred in (*spec.credentials, *spec.credential_alternatives, *spec.optional_credentials):
            if cred not in CREDENTIALS:
                problems.append(f"{name}: unknown credential {cred!r}")
        for alias in spec.aliases:
            if alias in MODULES:
                problems.append(f"{name}: alias {alias!r} is also a module name")
    if len(ALIASES) != sum(len(s.aliases) for s in MODULES.values()):
        problems.append("an alias is claimed by two modules")
    if problems:
        raise ValueError("weavectl module catalogue is inconsistent: " + "; ".join(problems))


_check_catalog()
