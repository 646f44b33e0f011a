"""The Gradio chat: ``build_app(sanad, settings)`` builds it, ``launch(settings)`` serves it offline.

Layout: the chat (streaming, conversation kept, thumbs up/down) on the left; on the right the
active answerer, collection stats, retrieval settings (k, source/language/date filters),
example questions from the stored articles, and an upload box that ingests files with a
progress bar and shows the report. Gradio 6 takes ``theme``/``css``/``head`` in ``launch()``;
:func:`launch_options` holds them so tests launch exactly what users get.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from rag.settings import quiet_offline_defaults

quiet_offline_defaults()  # GRADIO_ANALYTICS_ENABLED=False and NO_PROXY before gradio is imported

import gradio as gr  # noqa: E402

from rag.errors import describe_error  # noqa: E402
from rag.settings import Settings  # noqa: E402
from rag.types import Answer, Delta, Filters, Turn  # noqa: E402
from ui import render  # noqa: E402
from ui.feedback import FEEDBACK_FILE, FeedbackLog  # noqa: E402
from ui.handlers import UPLOAD_TYPES, ChatHandler, Message, ingest_uploads  # noqa: E402

if TYPE_CHECKING:
    from sanad.app import Sanad

log = logging.getLogger(__name__)

CSS = """
#chatbot .sanad-answer p { margin: 0.25em 0; }
/* a paragraph in another script than the answer's first one keeps its own direction */
#chatbot .sanad-answer p, #chatbot .sanad-quote { unicode-bidi: plaintext; text-align: start; }
#chatbot .sanad-answer, #chatbot .sanad-sources { text-align: start; }
#chatbot .sanad-cite a { text-decoration: none; font-weight: 600; padding: 0 0.1em; cursor: pointer; }
#chatbot .sanad-notice { opacity: 0.75; margin-top: 0.4em; }
#chatbot .sanad-error { color: #b42318; }
#chatbot .sanad-sources summary { cursor: pointer; font-weight: 600; }
#chatbot .sanad-src-list { margin: 0.3em 0; padding-inline-start: 1.2em; list-style: none; }
#chatbot .sanad-src { margin: 0.5em 0; border-radius: 6px; padding: 0.2em 0.4em; transition: background .4s; }
#chatbot .sanad-src-meta { font-size: 0.85em; opacity: 0.8; }
#chatbot .sanad-quote { margin: 0.3em 0; padding-inline-start: 0.7em; border-inline-start: 3px solid #9ca3af;}
#chatbot .sanad-src.sanad-flash { background: rgba(250, 204, 21, 0.35); }
/* user messages and the input box: each paragraph takes the direction of its own text */
#chatbot [data-testid="user"], #question textarea { unicode-bidi: plaintext; text-align: start; }
"""

HEAD = """
<script>
(() => {
  // A click on a citation [n] opens the Sources block of its answer and scrolls to the passage.
  document.addEventListener("click", (event) => {
    const link = event.target && event.target.closest ? event.target.closest('a[href^="#src-"]') : null;
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    const details = target.closest("details");
    if (details) details.open = true;
    target.scrollIntoView({ block: "center", behavior: "smooth" });
    target.classList.add("sanad-flash");
    setTimeout(() => target.classList.remove("sanad-flash"), 1800);
  }, true);
})();
</script>
"""


def launch_options() -> dict[str, Any]:
    """Keyword arguments for ``Blocks.launch`` that style the app (Gradio 6 takes them there)."""
    return {"theme": gr.themes.Soft(), "css": CSS, "head": HEAD}


class _Panel:
    """Side-panel contents computed from the store (stats, filter choices, examples)."""

    def __init__(self, sanad: Sanad) -> None:
        self.sanad = sanad

    def model_label(self) -> str:
        try:
            return self.sanad.chain.model_label
        except Exception as exc:  # the panel must render even if the chain cannot be built
            reason = describe_error(exc)
            log.warning("chain unavailable: %s", reason)
            return f"unavailable ({reason})"

    def stats(self) -> dict[str, object]:
        return self.sanad.catalog.stats()

    def examples(self) -> list[str]:
        return render.example_questions(self.sanad.catalog.records(0, 200))

    def updates(self) -> tuple[str, Any, Any, Any]:
        """Values for (status markdown, sources dropdown, languages dropdown, examples dataset)."""
        stats = self.stats()
        sources, languages = render.filter_choices(stats)
        return (
            render.render_stats(stats, self.model_label()),
            gr.Dropdown(choices=sources),
            gr.Dropdown(choices=languages),
            gr.Dataset(samples=[[q] for q in self.examples()]),
        )


class _LazyChain:
    """``sanad.chain`` built on the first question, not when the page is built.

    Building the chain opens the store, and a brand-new store asks the embedder for its vector
    size: with a remote embedder down, an eager build would stop ``sanad serve`` from starting at
    all, while a lazy one lets it start, report not ready, and answer once the embedder is back.
    """

    def __init__(self, sanad: Sanad) -> None:
        self._sanad = sanad

    @property
    def model_label(self) -> str:
        """The chain's model label."""
        return self._sanad.chain.model_label

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        *,
        k: int | None = None,
        filters: Filters | None = None,
    ) -> Iterator[Delta | Answer]:
        """``sanad.chain.stream`` (the chain is built on the first call)."""
        return self._sanad.chain.stream(question, history, k=k, filters=filters)


def build_app(sanad: Sanad, settings: Settings) -> gr.Blocks:
    """The chat app over ``sanad``'s store and chain.

    Args:
        sanad: The composition root (chain, catalog, ingest pipeline).
        settings: Retrieval defaults and the data dir (feedback file, uploads).

    Returns:
        The unlaunched ``gr.Blocks``; serve it with ``.queue().launch(**launch_options())``.
    """
    handler = ChatHandler(
        _LazyChain(sanad),
        FeedbackLog(settings.data_dir / FEEDBACK_FILE),
        default_k=settings.retrieval.k,
        max_question_chars=settings.max_question_chars,
    )
    panel = _Panel(sanad)
    stats = panel.stats()
    source_choices, language_choices = render.filter_choices(stats)

    demo = gr.Blocks(title="Sanad", fill_height=True)
    with demo:
        # The side panel comes first so its inputs are rendered before ChatInterface takes them.
        with gr.Sidebar(position="right", width=360, open=True, elem_id="side-panel"):
            status = gr.Markdown(render.render_stats(stats, panel.model_label()), elem_id="collection-stats")
            with gr.Accordion("Retrieval settings", open=False):
                k = gr.Slider(1, 20, value=settings.retrieval.k, step=1, label="Passages per answer (k)")
                sources = gr.Dropdown(source_choices, value=[], multiselect=True, label="Sources")
                languages = gr.Dropdown(language_choices, value=[], multiselect=True, label="Languages")
                with gr.Row():
                    date_from = gr.Textbox(label="Published from", placeholder="YYYY-MM-DD", max_lines=1)
                    date_to = gr.Textbox(label="Published to", placeholder="YYYY-MM-DD", max_lines=1)
            examples = gr.Dataset(
                components=["textbox"],
                samples=[[q] for q in panel.examples()],
                label="Example questions",
                elem_id="examples",
                samples_per_page=6,
            )
            with gr.Accordion("Add articles", open=False):
                files = gr.File(
                    file_count="multiple",
                    file_types=list(UPLOAD_TYPES),
                    label="Drop .txt / .md / .html / .json / .jsonl files",
                    elem_id="upload",
                )
                report = gr.Markdown(elem_id="ingest-report")

        gr.Markdown("## Sanad · سند\nAnswers from your articles, every claim backed by a citation.")
        chatbot = gr.Chatbot(
            elem_id="chatbot",
            show_label=False,
            height="70vh",
            latex_delimiters=[],
            buttons=["copy", "copy_all"],
            group_consecutive_messages=False,
            placeholder="Ask a question about your articles — in Arabic or English.",
        )
        textbox = gr.Textbox(
            elem_id="question",
            placeholder="Ask about your articles… · اسأل عن مقالاتك…",
            show_label=False,
            lines=1,
            max_lines=6,
            submit_btn=True,
            stop_btn=True,
        )

        def respond(
            message: str,
            history: list[Any],
            k_: float,
            sources_: list[str],
            languages_: list[str],
            from_: str,
            to_: str,
        ) -> Iterator[list[Message]]:
            yield from handler.respond(message, history, k_, sources_, languages_, from_, to_)

        gr.ChatInterface(
            fn=respond,
            chatbot=chatbot,
            textbox=textbox,
            additional_inputs=[k, sources, languages, date_from, date_to],
            api_name="chat",
            autofocus=True,
            save_history=False,
            fill_height=True,
        )
        feedback_note = gr.Markdown(elem_id="feedback-note")

        panel_outputs = [status, sources, languages, examples]

        def pick_example(sample: Sequence[Any] | None) -> str:
            return str(sample[0]) if sample else ""

        examples.click(pick_example, inputs=examples, outputs=textbox, api_visibility="private")

        def on_like(history: list[Any], data: gr.LikeData) -> str:
            return handler.rate(history, data.index, data.liked)

        chatbot.like(on_like, inputs=chatbot, outputs=feedback_note, api_visibility="private")

        def on_upload(uploaded: list[Any] | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
            progress(0, desc="Reading files")

            def step(done: int) -> None:
                progress((done, None), desc="Embedding chunks", unit="chunks")

            text = ingest_uploads(lambda: sanad.pipeline, uploaded, settings.data_dir / "uploads", step)
            return (text, *panel.updates())

        files.upload(on_upload, inputs=files, outputs=[report, *panel_outputs], api_visibility="private")
        demo.load(panel.updates, outputs=panel_outputs, api_visibility="private")
    return demo


def launch(
    settings: Settings,
    host: str | None = None,
    port: int | None = None,
    *,
    sanad: Sanad,
    block: bool = True,
) -> gr.Blocks:
    """Serve the chat offline: no analytics, no share link, loopback by default.

    Args:
        settings: Everything; ``settings.ui.host``/``port`` unless overridden.
        host: Address to bind (default ``settings.ui.host``, 127.0.0.1).
        port: Port (default ``settings.ui.port``, 7860).
        sanad: The composition root (:class:`sanad.app.Sanad`) the chat answers from.
        block: Serve until interrupted; False returns once the server is up (call ``.close()``).

    Returns:
        The running app.

    Raises:
        SanadError: the store cannot be opened (e.g. embedder mismatch).
        OSError: the port is taken.
    """
    quiet_offline_defaults()
    demo = build_app(sanad, settings)
    demo.queue(default_concurrency_limit=4).launch(
        server_name=host or settings.ui.host,
        server_port=settings.ui.port if port is None else port,
        share=False,
        inbrowser=False,
        prevent_thread_lock=not block,
        quiet=not block,
        footer_links=["settings"],
        **launch_options(),
    )
    return demo
