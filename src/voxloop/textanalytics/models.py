"""Text analytics data: each organisation's theme taxonomies, and what was found in each
comment (stored here, keyed by the response, never as columns of another app's table).

A taxonomy applies to the subtree of its unit (none: the whole organisation); the deepest
one above a response's unit is the one its comments are matched against. Every change to
a taxonomy's themes bumps its `version`, which is how `voxloop text backfill` knows which
stored results are stale."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    EN = "en", "English"
    ZH_HANS = "zh-hans", "简体中文"
    ZH_HANT = "zh-hant", "繁體中文"
    JA = "ja", "日本語"
    RO = "ro", "Română"


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")
    POSITIVE = "positive", _("Positive")


class TermKind(models.TextChoices):
    LABEL = "label", _("Name")
    KEYWORD = "keyword", _("Keyword")
    EXAMPLE = "example", _("Example sentence")


class TextSettings(models.Model):
    """How an organisation's comments are analysed."""

    organization = models.OneToOneField(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    # Engine language keys, comma separated; the admin form offers them as check boxes.
    languages = models.CharField(_("languages"), max_length=100, default="en,zh-hans,zh-hant,ja,ro")
    embeddings = models.BooleanField(
        _("compute embeddings"),
        default=True,
        help_text=_("Embed comments in the background for grouping and emerging themes."),
    )
    # An organisation's own OpenAI-compatible endpoint, for summaries. Off by default.
    llm_enabled = models.BooleanField(_("use our language model endpoint"), default=False)
    llm_base_url = models.URLField(_("endpoint address"), blank=True)
    llm_model = models.CharField(_("model name"), max_length=100, blank=True)
    llm_api_key = models.CharField(_("API key"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("text analytics settings")
        verbose_name_plural = _("text analytics settings")

    def __str__(self) -> str:
        return str(_("Text analytics settings"))

    @property
    def language_list(self) -> tuple[str, ...]:
        return tuple(code for code in self.languages.split(",") if code)


class Taxonomy(models.Model):
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        "tenancy.OrgUnit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applies to"),
        help_text=_("This unit and everything under it; empty: the whole organisation."),
    )
    name = models.CharField(_("name"), max_length=120)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("theme taxonomy")
        verbose_name_plural = _("theme taxonomies")
        constraints = [
            models.UniqueConstraint(fields=["organization", "unit"], name="taxonomy_one_per_unit"),
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(unit__isnull=True),
                name="taxonomy_one_for_whole_org",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="themes")
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent theme"),
    )
    key = models.SlugField(_("key"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["taxonomy", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "key"], name="theme_key_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ThemeTerm(models.Model):
    """A theme's name, keyword or example sentence in one language."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="terms")
    language = models.CharField(_("language"), max_length=10, choices=Language.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=TermKind.choices)
    text = models.CharField(_("text"), max_length=500)

    class Meta:
        verbose_name = _("theme term")
        verbose_name_plural = _("theme terms")
        ordering = ["theme", "language", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["theme", "language", "kind", "text"], name="theme_term_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class CommentAnalysis(models.Model):
    """What the engine found in one free-text answer of one response."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Erasing a response erases what was read in it.
    response = models.ForeignKey(
        "responses.Response", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    question_key = models.CharField(max_length=60)
    # The analysed text: the answer with personal data masked (offsets below point into it).
    text = models.TextField()
    # Of the answer as given, so an edited answer is analysed again.
    source_digest = models.CharField(max_length=16)
    language = models.CharField(max_length=10)
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices)
    score = models.FloatField()
    mixed = models.BooleanField(default=False)
    # [{"start", "end", "sentiment", "score", "themes": [key], "intents": [name]}]
    sentences = models.JSONField(default=list)
    keywords = models.JSONField(default=list)
    intents = models.JSONField(default=list)
    emotions = models.JSONField(default=list)
    summary = models.TextField(blank=True)
    model_version = models.CharField(max_length=100)
    taxonomy = models.ForeignKey(
        Taxonomy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    taxonomy_version = models.PositiveIntegerField(default=0)
    analysed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("comment analysis")
        verbose_name_plural = _("comment analyses")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question_key"], name="analysis_one_per_answer"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "sentiment"], name="analysis_org_sentiment"),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_key}: {self.sentiment}"


class CommentTheme(models.Model):
    """One theme found in one comment: the row breakdowns, filters and theme impact count."""

    analysis = models.ForeignKey(CommentAnalysis, on_delete=models.CASCADE, related_name="themes")
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="+")
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices)
    score = models.FloatField()
    confidence = models.FloatField()
    matched_by = models.CharField(max_length=12)

    class Meta:
        verbose_name = _("comment theme")
        verbose_name_plural = _("comment themes")
        constraints = [
            models.UniqueConstraint(fields=["analysis", "theme"], name="comment_theme_unique"),
        ]
        indexes = [
            models.Index(fields=["organization", "theme"], name="comment_theme_org_theme"),
        ]

    def __str__(self) -> str:
        return f"{self.analysis_id}: {self.theme_id} ({self.sentiment})"


class CommentEmbedding(models.Model):
    """A comment's sentence embedding (float16), computed in the background in batches, for
    grouping comments across languages and finding emerging themes."""

    analysis = models.OneToOneField(
        CommentAnalysis, on_delete=models.CASCADE, primary_key=True, related_name="embedding"
    )
    model = models.CharField(max_length=60)
    vector = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("comment embedding")
        verbose_name_plural = _("comment embeddings")

    def __str__(self) -> str:
        return f"{self.analysis_id} ({self.model})"
