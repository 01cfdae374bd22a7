"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), their assets served from this package.

FastAPI's own pages load their JavaScript from a CDN, which an offline server cannot reach, and
the ``swagger-ui-bundle`` PyPI package carries Swagger UI 4, which cannot render the OpenAPI
3.1 schema FastAPI writes ("Unable to render this definition"). So the upstream dist files are
vendored under ``static/``: ``swagger-ui-dist`` 5.36.0 (Apache-2.0) and ReDoc 2.5.4's
standalone bundle (MIT), each with its licence. To update them: ``npm pack swagger-ui-dist
redoc``, then copy ``swagger-ui-bundle.js``, ``swagger-ui.css``, ``favicon-32x32.png`` and
``bundles/redoc.standalone.js`` over the files here, and in ``redoc.standalone.js`` replace
``src:"https://cdn.redoc.ly/redoc/logo-mini.svg"`` with ``src:"data:,"`` (ReDoc has no option
for its footer logo, the one remote fetch it makes; the image then hides itself).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).with_name("static")
ASSETS_URL = "/docs-assets"
SWAGGER_UI_VERSION = "5.36.0"
REDOC_VERSION = "2.5.4"


def mount_local_docs(app: FastAPI, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Serve Swagger UI at ``docs_url`` and ReDoc at ``redoc_url``, assets under
    :data:`ASSETS_URL`; both read the app's ``/openapi.json``."""
    app.mount(ASSETS_URL, StaticFiles(directory=str(STATIC_DIR)), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get(docs_url, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url, title=f"{app.title} — docs",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/swagger-ui/favicon-32x32.png",
            # Swagger UI would otherwise post the schema to validator.swagger.io for a badge.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get(redoc_url, include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url, title=f"{app.title} — reference",
            redoc_js_url=f"{ASSETS_URL}/redoc/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_URL}/swagger-ui/favicon-32x32.png",
            with_google_fonts=False,  # a remote stylesheet; ReDoc falls back to system fonts
        )
