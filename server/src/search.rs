//! Full-text search of the launched SKUs, in Chinese: an embedded tantivy index with the
//! jieba segmenter (tantivy-jieba), beside the database in `SEARCH_INDEX_DIR`.
//!
//! Each SKU is one document: its name, caption, SPU name, brand and catalog, each segmented by
//! jieba in search mode (a long word also yields the words inside it: 拉杆箱 → 拉杆, 拉杆箱), plus
//! the name and caption cut into one- and two-character grams so that a word jieba does not
//! know, or cuts differently, is still found inside a longer text, plus the pinyin of the
//! words of its name, SPU, brand and catalog (拉杆箱 → `laganxiang`, also `lagan`; initials
//! `lgx`, `lg`), every reading of a character with several.
//!
//! A query ([`SearchIndex::search`]):
//! 1. keeps its first [`MAX_QUERY_CHARS`] characters, lower-cased;
//! 2. takes out the words of the synonym list ([`SearchWords`], data in
//!    `server/data/search_words.toml` or `SEARCH_WORDS_FILE`), the longest first, each of which
//!    also searches the catalog's words it stands for (背包 → 双肩包, 行李箱 → 拉杆箱);
//! 3. cuts the rest with jieba (exact mode) and drops the stop words (的, 了, ...);
//! 4. asks for SKUs matching every word (AND) somewhere: a match in the SKU name weighs most,
//!    then SPU name and brand, then catalog, then caption (BM25 with field boosts); a word of
//!    Latin letters also matches pinyin and pinyin initials;
//! 5. when nothing matches every word, answers the SKUs matching the most words instead
//!    ([`Hits::partial`]), best first;
//! 6. when nothing matches every word, offers a query that would ([`Hits::suggestion`],
//!    "你是不是要找"): each word that matches nothing is replaced by the indexed word closest to
//!    it (same pinyin, or one character off; two for words of four or more).
//!
//! The query is never parsed as query syntax, so no input can fail or reach other fields.
//!
//! Freshness: the index stores the goods version (`goods_state.version`) it was built from
//! as its commit payload. On start, and whenever the goods generation token moves
//! (crate::catalog), a process compares it with the database and rebuilds the whole index
//! when it is behind (a full rebuild of the shop's few thousand SKUs takes well under a
//! second). Several processes sharing one directory take turns through tantivy's writer lock;
//! a process that finds the index already current only reloads its reader.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context as _;
use sqlx::AnyPool;
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, QueryClone as _, TermQuery};
use tantivy::schema::{
    Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value as _,
};
use tantivy::tokenizer::{
    LowerCaser, NgramTokenizer, TextAnalyzer, TokenStream as _, Tokenizer as _, WhitespaceTokenizer,
};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

use crate::db::goods::{self, SearchDocRow};

/// Name of the jieba analyzer (search mode, lower-cased).
const JIEBA: &str = "dd_jieba";
/// Name of the 1..2-gram analyzer of SKU names.
const NGRAM: &str = "dd_ngram";
/// Name of the whitespace analyzer of the pinyin fields (lower-cased).
const SPACED: &str = "dd_spaced";
/// Sub-directory of the index: a schema change gets a new one, so an old index is never
/// opened with the wrong schema.
const SCHEMA_DIR: &str = "v2";
/// Memory of the single indexing thread, bytes (tantivy's minimum is 15 MB).
const WRITER_MEMORY: usize = 20_000_000;
/// How long a rebuild waits for another process's writer, in all.
const LOCK_WAIT: Duration = Duration::from_secs(10);
/// Longest query looked at, in characters (a search box never needs more).
pub const MAX_QUERY_CHARS: usize = 50;

/// Field boosts: where a word matched decides the rank.
const BOOST_NAME: f32 = 4.0;
const BOOST_SPU: f32 = 2.0;
const BOOST_BRAND: f32 = 2.0;
const BOOST_CATALOG: f32 = 1.5;
const BOOST_CAPTION: f32 = 0.5;
const BOOST_NGRAM: f32 = 1.0;
const BOOST_CAPTION_NGRAM: f32 = 0.25;
const BOOST_PINYIN: f32 = 1.5;
const BOOST_INITIALS: f32 = 1.0;
/// A synonym weighs a little less than the word the shopper typed.
const BOOST_SYNONYM: f32 = 0.8;
/// Most pinyin spellings indexed for one word (every combination of the readings of its
/// characters, up to this many).
const MAX_READINGS: usize = 8;
/// Longest word whose pinyin is indexed, in characters.
const MAX_PINYIN_WORD_CHARS: usize = 8;

/// The built-in synonym and stop word list (`server/data/search_words.toml`).
const BUILTIN_WORDS: &str = include_str!("../data/search_words.toml");

/// The synonym list and the stop words of queries (module documentation, step 2 and 3).
#[derive(Debug, Clone, Default)]
pub struct SearchWords {
    /// Query word (lower-cased, at least two characters) → the catalog's words it stands for.
    synonyms: HashMap<String, Vec<String>>,
    /// Longest synonym key, in characters.
    longest_key: usize,
    stop_words: HashSet<String>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct WordsFile {
    #[serde(default)]
    stop_words: Vec<String>,
    #[serde(default)]
    synonyms: HashMap<String, Vec<String>>,
}

impl SearchWords {
    /// The list shipped with the shop (`server/data/search_words.toml`).
    ///
    /// # Panics
    /// Never in a build whose tests passed: the built-in file is checked by a test.
    pub fn builtin() -> Self {
        Self::parse(BUILTIN_WORDS).expect("server/data/search_words.toml is valid")
    }

    /// Reads a list in the format of `server/data/search_words.toml` (`SEARCH_WORDS_FILE`).
    ///
    /// # Errors
    /// The file cannot be read, is not that TOML, or has a synonym key shorter than two
    /// characters or with an empty list.
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the search words {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("in the search words {}", path.display()))
    }

    /// Parses a list (see [`Self::from_file`]).
    ///
    /// # Errors
    /// As [`Self::from_file`].
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let file: WordsFile = toml::from_str(text).context("not a search words file")?;
        let mut synonyms = HashMap::new();
        for (key, words) in file.synonyms {
            let key = key.trim().to_lowercase();
            anyhow::ensure!(
                key.chars().count() >= 2,
                "synonym key {key:?}: at least two characters"
            );
            let words: Vec<String> = words
                .iter()
                .map(|w| w.trim().to_lowercase())
                .filter(|w| !w.is_empty() && *w != key)
                .collect();
            anyhow::ensure!(!words.is_empty(), "synonym key {key:?}: no words");
            synonyms.insert(key, words);
        }
        Ok(Self {
            longest_key: synonyms
                .keys()
                .map(|k| k.chars().count())
                .max()
                .unwrap_or(0),
            synonyms,
            stop_words: file
                .stop_words
                .iter()
                .map(|w| w.trim().to_lowercase())
                .collect(),
        })
    }

    /// The words of `query` (module documentation, steps 1 to 3), each with what it also
    /// searches; in query order, without repeats.
    fn analyse(&self, query: &str) -> Vec<QueryWord> {
        let query: Vec<char> = query
            .chars()
            .take(MAX_QUERY_CHARS)
            .collect::<String>()
            .to_lowercase()
            .chars()
            .collect();
        let mut out: Vec<QueryWord> = Vec::new();
        let push = |text: String, out: &mut Vec<QueryWord>| {
            if self.stop_words.contains(&text) || out.iter().any(|w| w.text == text) {
                return;
            }
            let synonyms = self.synonyms.get(&text).cloned().unwrap_or_default();
            out.push(QueryWord { text, synonyms });
        };
        let mut rest = String::new();
        let mut i = 0;
        while i < query.len() {
            let longest = self.longest_key.min(query.len() - i);
            let key = (2..=longest).rev().find_map(|n| {
                let candidate: String = query[i..i + n].iter().collect();
                self.synonyms
                    .contains_key(&candidate)
                    .then_some((candidate, n))
            });
            match key {
                Some((key, n)) => {
                    for word in words(&std::mem::take(&mut rest)) {
                        push(word, &mut out);
                    }
                    push(key, &mut out);
                    i += n;
                }
                None => {
                    rest.push(query[i]);
                    i += 1;
                }
            }
        }
        for word in words(&rest) {
            push(word, &mut out);
        }
        out
    }
}

/// A word of a query and the catalog's words it also searches.
#[derive(Debug, Clone, PartialEq, Eq)]
struct QueryWord {
    text: String,
    synonyms: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    name: Field,
    caption: Field,
    spu: Field,
    brand: Field,
    catalog: Field,
    name_ngram: Field,
    caption_ngram: Field,
    /// Full pinyin of the words of name, SPU, brand and catalog (`laganxiang lagan ...`).
    pinyin: Field,
    /// Their initials (`lgx lg ...`).
    initials: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqs),
        )
    };
    let fields = Fields {
        id: b.add_i64_field("id", STORED | INDEXED),
        name: b.add_text_field("name", text(JIEBA)),
        caption: b.add_text_field("caption", text(JIEBA)),
        spu: b.add_text_field("spu", text(JIEBA)),
        brand: b.add_text_field("brand", text(JIEBA)),
        catalog: b.add_text_field("catalog", text(JIEBA)),
        name_ngram: b.add_text_field("name_ngram", text(NGRAM)),
        caption_ngram: b.add_text_field("caption_ngram", text(NGRAM)),
        pinyin: b.add_text_field("pinyin", text(SPACED)),
        initials: b.add_text_field("initials", text(SPACED)),
    };
    (b.build(), fields)
}

fn register_analyzers(index: &Index) -> anyhow::Result<()> {
    index.tokenizers().register(
        JIEBA,
        TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::new())
            .filter(LowerCaser)
            .build(),
    );
    index.tokenizers().register(
        NGRAM,
        TextAnalyzer::builder(NgramTokenizer::new(1, 2, false).context("n-gram tokenizer")?)
            .filter(LowerCaser)
            .build(),
    );
    index.tokenizers().register(
        SPACED,
        TextAnalyzer::builder(WhitespaceTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
    Ok(())
}

#[derive(Clone)]
struct Loaded {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// The goods version the index was built from (0: never built).
    version: i64,
    /// The indexed words, for suggestions.
    vocabulary: Arc<Vec<VocabularyWord>>,
}

/// A word of the index (a jieba word of some SKU's name, SPU, brand or catalog).
#[derive(Debug, Clone)]
struct VocabularyWord {
    word: String,
    /// Its pinyin (every reading), for homophone typing errors (拉竿箱 for 拉杆箱).
    pinyin: Vec<String>,
    /// Documents with the word, in the field where it is most frequent.
    documents: u32,
}

impl std::fmt::Debug for Loaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loaded")
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// One page of search hits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hits {
    /// Matching documents in all.
    pub total: u64,
    /// SKU ids of the page, best first.
    pub ids: Vec<i64>,
    /// No SKU matched every word: these match the most words there are SKUs for.
    pub partial: bool,
    /// No SKU matched every word: a query (lower-cased) that would, with each word that
    /// matches nothing replaced by its nearest indexed word.
    pub suggestion: Option<String>,
}

impl Hits {
    fn none() -> Self {
        Self {
            total: 0,
            ids: Vec::new(),
            partial: false,
            suggestion: None,
        }
    }
}

/// The search index of one process.
#[derive(Debug)]
pub struct SearchIndex {
    dir: PathBuf,
    words: SearchWords,
    current: RwLock<Arc<Loaded>>,
    /// The goods generation the index was last checked against.
    checked: RwLock<String>,
    /// One rebuild at a time in this process.
    rebuilding: tokio::sync::Mutex<()>,
}

impl SearchIndex {
    /// Opens the index under `dir` (creating it when missing) and rebuilds it from `db` when
    /// it is missing, unreadable or older than the database's goods version; queries use
    /// `words`.
    pub async fn open(dir: &Path, db: &AnyPool, words: SearchWords) -> anyhow::Result<Self> {
        let dir = dir.join(SCHEMA_DIR);
        let loaded = {
            let dir = dir.clone();
            tokio::task::spawn_blocking(move || open_dir(&dir))
                .await
                .context("opening the search index")??
        };
        let this = Self {
            dir,
            words,
            current: RwLock::new(Arc::new(loaded)),
            checked: RwLock::new(String::new()),
            rebuilding: tokio::sync::Mutex::new(()),
        };
        this.refresh(db).await?;
        Ok(this)
    }

    fn loaded(&self) -> Arc<Loaded> {
        match self.current.read() {
            Ok(l) => l.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Makes sure the index is current for goods `generation` (crate::catalog): when the
    /// token moved since the last check, compares versions with `db` and rebuilds if behind.
    pub async fn ensure_fresh(&self, db: &AnyPool, generation: &str) -> anyhow::Result<()> {
        if self.checked.read().is_ok_and(|c| *c == generation) {
            return Ok(());
        }
        let _turn = self.rebuilding.lock().await;
        if self.checked.read().is_ok_and(|c| *c == generation) {
            return Ok(());
        }
        self.refresh_locked(db).await?;
        if let Ok(mut checked) = self.checked.write() {
            generation.clone_into(&mut checked);
        }
        Ok(())
    }

    /// Rebuilds when the database is ahead of the index.
    pub async fn refresh(&self, db: &AnyPool) -> anyhow::Result<()> {
        let _turn = self.rebuilding.lock().await;
        self.refresh_locked(db).await
    }

    async fn refresh_locked(&self, db: &AnyPool) -> anyhow::Result<()> {
        let version = goods::version(db)
            .await
            .context("reading the goods version")?;
        let loaded = self.loaded();
        if loaded.version == version {
            return Ok(());
        }
        // The version is read before the documents: a change committed in between leaves
        // the index marked older than its content, so the next check rebuilds again.
        let docs = goods::search_docs(db)
            .await
            .context("reading the goods to index")?;
        let dir = self.dir.clone();
        let rebuilt = tokio::task::spawn_blocking(move || rebuild(&loaded, &docs, version, &dir))
            .await
            .context("rebuilding the search index")??;
        tracing::info!(version = rebuilt.version, "search index current");
        if let Ok(mut current) = self.current.write() {
            *current = Arc::new(rebuilt);
        }
        Ok(())
    }

    /// Page `page` (from 1) of `page_size` hits for `query`, best first (module
    /// documentation). An empty or blank query, or one of only punctuation or stop words,
    /// has no hits.
    pub fn search(&self, query: &str, page: u64, page_size: usize) -> anyhow::Result<Hits> {
        let loaded = self.loaded();
        let words = self.words.analyse(query);
        if words.is_empty() {
            return Ok(Hits::none());
        }
        let searcher = loaded.reader.searcher();
        let clauses: Vec<BooleanQuery> = words.iter().map(|w| word_query(&loaded, w)).collect();
        let every = BooleanQuery::new(
            clauses
                .iter()
                .map(|c| (Occur::Must, c.box_clone()))
                .collect(),
        );
        let hits = page_of(&searcher, &loaded, &every, page, page_size)?;
        if hits.total > 0 || words.len() < 2 {
            let suggestion = if hits.total == 0 {
                suggest(&searcher, &loaded, &self.words, &words, &clauses)?
            } else {
                None
            };
            return Ok(Hits { suggestion, ..hits });
        }
        let suggestion = suggest(&searcher, &loaded, &self.words, &words, &clauses)?;
        // The SKUs matching the most words: fewer and fewer, down to one. A lone digit or
        // Latin letter is too common to stand for the query.
        let meaningful: Vec<Box<dyn Query>> = words
            .iter()
            .zip(&clauses)
            .filter(|(w, _)| w.text.chars().count() > 1 || !w.text.is_ascii())
            .map(|(_, c)| c.box_clone())
            .collect();
        let most = if meaningful.len() < words.len() {
            meaningful.len()
        } else {
            words.len() - 1
        };
        for at_least in (1..=most).rev() {
            let some = BooleanQuery::with_minimum_required_clauses(
                meaningful
                    .iter()
                    .map(|c| (Occur::Should, c.box_clone()))
                    .collect(),
                at_least,
            );
            let partial = page_of(&searcher, &loaded, &some, page, page_size)?;
            if partial.total > 0 {
                return Ok(Hits {
                    partial: true,
                    suggestion,
                    ..partial
                });
            }
        }
        Ok(Hits {
            suggestion,
            ..Hits::none()
        })
    }
}

/// Page `page` of `query`'s hits with their total.
fn page_of(
    searcher: &tantivy::Searcher,
    loaded: &Loaded,
    query: &dyn Query,
    page: u64,
    page_size: usize,
) -> anyhow::Result<Hits> {
    let offset = usize::try_from(page.saturating_sub(1))
        .unwrap_or(usize::MAX)
        .saturating_mul(page_size);
    // The top-N collector reserves room for `offset + limit` hits up front: a page past
    // every document of the index only counts (the caller answers 40200), so the
    // reservation stays within the index's size whatever page is asked for.
    let documents = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
    if offset >= documents {
        let total = searcher.search(query, &Count).context("counting")?;
        return Ok(Hits {
            total: total as u64,
            ..Hits::none()
        });
    }
    let collector = (
        TopDocs::with_limit(page_size.max(1))
            .and_offset(offset)
            .order_by_score(),
        Count,
    );
    let (top, total) = searcher.search(query, &collector).context("searching")?;
    let mut ids = Vec::with_capacity(top.len());
    for (_score, address) in top {
        let doc: TantivyDocument = searcher.doc(address).context("reading a hit")?;
        if let Some(id) = doc.get_first(loaded.fields.id).and_then(|v| v.as_i64()) {
            ids.push(id);
        }
    }
    Ok(Hits {
        total: total as u64,
        ids,
        ..Hits::none()
    })
}

/// A query like `words` in which each word that matches nothing is replaced by the nearest
/// word of the vocabulary, when every word then matches together; `None` otherwise.
fn suggest(
    searcher: &tantivy::Searcher,
    loaded: &Loaded,
    search_words: &SearchWords,
    words: &[QueryWord],
    clauses: &[BooleanQuery],
) -> anyhow::Result<Option<String>> {
    // jieba cuts a word it does not know (a typo: 拉竿箱) into single characters: a run of
    // them is looked at as one word again.
    // (text, its own clause, whether it is made of single characters)
    let mut tokens: Vec<(String, Option<&BooleanQuery>, bool)> = Vec::with_capacity(words.len());
    for (word, clause) in words.iter().zip(clauses) {
        let single = word.text.chars().count() == 1 && word.text.chars().all(is_han);
        if single && let Some((run, own, true)) = tokens.last_mut() {
            run.push_str(&word.text);
            *own = None;
            continue;
        }
        tokens.push((word.text.clone(), Some(clause), single));
    }
    let mut replaced = false;
    let mut suggested: Vec<String> = Vec::with_capacity(tokens.len());
    for (text, clause, _) in tokens {
        let matches = match clause {
            Some(clause) => searcher.search(clause, &Count).context("counting")?,
            None => {
                let word = QueryWord {
                    synonyms: search_words
                        .synonyms
                        .get(&text)
                        .cloned()
                        .unwrap_or_default(),
                    text: text.clone(),
                };
                searcher
                    .search(&word_query(loaded, &word), &Count)
                    .context("counting")?
            }
        };
        if matches > 0 {
            suggested.push(text);
            continue;
        }
        match nearest(&loaded.vocabulary, &text) {
            Some(near) => {
                suggested.push(near);
                replaced = true;
            }
            None => return Ok(None),
        }
    }
    if !replaced {
        return Ok(None);
    }
    let text = suggested.join(" ");
    let check: Vec<(Occur, Box<dyn Query>)> = search_words
        .analyse(&text)
        .iter()
        .map(|w| {
            (
                Occur::Must,
                Box::new(word_query(loaded, w)) as Box<dyn Query>,
            )
        })
        .collect();
    if check.is_empty() || searcher.search(&BooleanQuery::new(check), &Count)? == 0 {
        return Ok(None);
    }
    Ok(Some(text))
}

/// The vocabulary word nearest to `word`: same pinyin first (an input method's wrong
/// character), then fewest characters changed (at most one; two from four characters on),
/// then the most documents.
fn nearest(vocabulary: &[VocabularyWord], word: &str) -> Option<String> {
    let length = word.chars().count();
    if length < 2 {
        return None;
    }
    let most = if length >= 4 { 2 } else { 1 };
    let typed_pinyin: HashSet<String> = readings(word).into_iter().collect();
    let ascii = word.is_ascii();
    vocabulary
        .iter()
        .filter_map(|v| {
            let distance = if !ascii && v.pinyin.iter().any(|p| typed_pinyin.contains(p)) {
                0
            } else if ascii {
                // Pinyin typed with a slip: compare with the words' pinyin.
                v.pinyin
                    .iter()
                    .map(|p| strsim::levenshtein(p, word))
                    .min()
                    .unwrap_or(usize::MAX)
            } else {
                strsim::levenshtein(&v.word, word)
            };
            (distance <= most && v.word != word).then_some((distance, v))
        })
        .min_by(|(da, a), (db, b)| da.cmp(db).then(b.documents.cmp(&a.documents)))
        .map(|(_, v)| v.word.clone())
}

/// Opens (or creates) the index in `dir`; an index that cannot be opened is thrown away and
/// created afresh (it is derived data).
fn open_dir(dir: &Path) -> anyhow::Result<Loaded> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating the search index directory {}", dir.display()))?;
    let (schema, fields) = schema();
    let open = |schema: Schema| -> anyhow::Result<Index> {
        let directory = MmapDirectory::open(dir)
            .with_context(|| format!("opening the search index {}", dir.display()))?;
        Ok(Index::open_or_create(directory, schema)?)
    };
    let index = match open(schema.clone()) {
        Ok(index) => index,
        Err(err) => {
            tracing::warn!(error = %err, "search index unreadable: creating it afresh");
            std::fs::remove_dir_all(dir).ok();
            std::fs::create_dir_all(dir).context("recreating the search index directory")?;
            open(schema)?
        }
    };
    register_analyzers(&index)?;
    let version = stored_version(&index);
    let reader: IndexReader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .context("opening the search index reader")?;
    let vocabulary = Arc::new(vocabulary(&reader, fields)?);
    Ok(Loaded {
        index,
        reader,
        fields,
        version,
        vocabulary,
    })
}

/// The goods version in the index's last commit (0 when never built).
fn stored_version(index: &Index) -> i64 {
    index
        .load_metas()
        .ok()
        .and_then(|m| m.payload)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0)
}

/// Replaces every document of the index with `docs` and commits with `version` as payload,
/// unless another process got there first.
fn rebuild(
    loaded: &Loaded,
    docs: &[SearchDocRow],
    version: i64,
    dir: &Path,
) -> anyhow::Result<Loaded> {
    let started = std::time::Instant::now();
    let mut writer = loop {
        match loaded
            .index
            .writer_with_num_threads::<TantivyDocument>(1, WRITER_MEMORY)
        {
            Ok(writer) => break writer,
            Err(tantivy::TantivyError::LockFailure(..)) if started.elapsed() < LOCK_WAIT => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(err) => {
                return Err(err).with_context(|| {
                    format!("taking the search index writer in {}", dir.display())
                });
            }
        }
    };
    let current = stored_version(&loaded.index);
    if current < version {
        let f = loaded.fields;
        writer
            .delete_all_documents()
            .context("clearing the index")?;
        for d in docs {
            let mut doc = TantivyDocument::default();
            doc.add_i64(f.id, d.id);
            doc.add_text(f.name, &d.name);
            doc.add_text(f.caption, &d.caption);
            doc.add_text(f.spu, &d.spu_name);
            doc.add_text(f.brand, &d.brand_name);
            doc.add_text(f.catalog, &d.catalog_name);
            doc.add_text(f.name_ngram, &d.name);
            doc.add_text(f.caption_ngram, &d.caption);
            let (full, initials) =
                pinyin_of(&[&d.name, &d.spu_name, &d.brand_name, &d.catalog_name]);
            doc.add_text(f.pinyin, &full);
            doc.add_text(f.initials, &initials);
            writer.add_document(doc).context("indexing a SKU")?;
        }
        let mut commit = writer.prepare_commit().context("preparing the commit")?;
        commit.set_payload(&version.to_string());
        commit.commit().context("committing the index")?;
    }
    drop(writer);
    loaded
        .reader
        .reload()
        .context("reloading the index reader")?;
    Ok(Loaded {
        version: stored_version(&loaded.index),
        vocabulary: Arc::new(vocabulary(&loaded.reader, loaded.fields)?),
        ..loaded.clone()
    })
}

/// The words of the SKU names, SPU names, brands and catalogs in the index: those with a
/// Chinese character and at least two characters, or of at least three Latin letters.
fn vocabulary(reader: &IndexReader, fields: Fields) -> anyhow::Result<Vec<VocabularyWord>> {
    let searcher = reader.searcher();
    let mut documents: HashMap<String, u32> = HashMap::new();
    for segment in searcher.segment_readers() {
        for field in [fields.name, fields.spu, fields.brand, fields.catalog] {
            let inverted = segment
                .inverted_index(field)
                .context("reading the index's words")?;
            let mut terms = inverted
                .terms()
                .stream()
                .context("reading the index's words")?;
            while terms.advance() {
                let Ok(word) = std::str::from_utf8(terms.key()) else {
                    continue;
                };
                let length = word.chars().count();
                let wanted = if word.is_ascii() {
                    length >= 3 && word.chars().all(|c| c.is_ascii_alphabetic())
                } else {
                    length >= 2 && word.chars().any(is_han)
                };
                if wanted {
                    let seen = documents.entry(word.to_owned()).or_default();
                    *seen = (*seen).max(terms.value().doc_freq);
                }
            }
        }
    }
    Ok(documents
        .into_iter()
        .map(|(word, documents)| VocabularyWord {
            pinyin: readings(&word),
            word,
            documents,
        })
        .collect())
}

/// The words of `text` as jieba (exact mode) cuts them, lower-cased, without spaces and
/// punctuation.
fn words(text: &str) -> Vec<String> {
    cut(text, false)
}

/// The words of `text` as jieba cuts them (`search_mode`: also the words inside long words).
fn cut(text: &str, search_mode: bool) -> Vec<String> {
    let mut tokenizer = tantivy_jieba::JiebaTokenizer::with_search_mode(search_mode);
    let mut stream = tokenizer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let word = stream.token().text.to_lowercase();
        if word.chars().any(char::is_alphanumeric) && !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// Whether `c` is a Chinese (CJK unified) character.
fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// The pinyin spellings of `word` without tones, one per combination of the readings of its
/// characters (at most [`MAX_READINGS`]); characters without a reading are kept as they are.
fn readings(word: &str) -> Vec<String> {
    use pinyin::ToPinyinMulti as _;
    let mut spellings = vec![String::new()];
    for (c, multi) in word.chars().zip(word.to_pinyin_multi()) {
        let options: Vec<&str> = match multi {
            Some(multi) => {
                let mut options: Vec<&str> = multi.into_iter().map(|p| p.plain()).collect();
                options.dedup();
                options
            }
            None => Vec::new(),
        };
        if options.is_empty() {
            for s in &mut spellings {
                s.extend(c.to_lowercase());
            }
            continue;
        }
        let mut next = Vec::with_capacity(spellings.len() * options.len());
        for s in &spellings {
            for o in &options {
                if next.len() < MAX_READINGS {
                    next.push(format!("{s}{o}"));
                }
            }
        }
        spellings = next;
    }
    spellings
}

/// The pinyin tokens of `texts` (space-separated): for each jieba word (search mode) with a
/// Chinese character, its full pinyin, the pinyin of its first two characters and more
/// (`lagan` for 拉杆箱), and the same for initials from two letters on (`lgx`, `lg`).
fn pinyin_of(texts: &[&str]) -> (String, String) {
    use pinyin::ToPinyinMulti as _;
    let mut full: HashSet<String> = HashSet::new();
    let mut initials: HashSet<String> = HashSet::new();
    for text in texts {
        for word in cut(text, true) {
            let chars: Vec<char> = word.chars().collect();
            if !chars.iter().any(|c| is_han(*c)) || chars.len() > MAX_PINYIN_WORD_CHARS {
                continue;
            }
            for n in 2..=chars.len() {
                let prefix: String = chars[..n].iter().collect();
                full.extend(readings(&prefix));
                // Initials: every combination of the characters' first letters.
                let mut firsts = vec![String::new()];
                for multi in prefix.as_str().to_pinyin_multi() {
                    let letters: Vec<&str> = match multi {
                        Some(multi) => {
                            let mut l: Vec<&str> =
                                multi.into_iter().map(|p| p.first_letter()).collect();
                            l.sort_unstable();
                            l.dedup();
                            l
                        }
                        None => vec![""],
                    };
                    let mut next = Vec::new();
                    for f in &firsts {
                        for l in &letters {
                            if next.len() < MAX_READINGS {
                                next.push(format!("{f}{l}"));
                            }
                        }
                    }
                    firsts = next;
                }
                initials.extend(firsts.into_iter().filter(|f| f.len() >= 2));
            }
            if chars.len() == 1 {
                full.extend(readings(&word));
            }
        }
    }
    let join = |set: HashSet<String>| {
        let mut v: Vec<String> = set.into_iter().collect();
        v.sort_unstable();
        v.join(" ")
    };
    (join(full), join(initials))
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, boost))
}

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// Where `text` may match, with the field boosts of the module documentation.
fn text_clauses(f: Fields, text: &str, weight: f32) -> Vec<(Occur, Box<dyn Query>)> {
    let chars: Vec<char> = text.chars().collect();
    let grams = |field: Field| -> Box<dyn Query> {
        if chars.len() <= 2 {
            term(field, text)
        } else {
            let parts = chars
                .windows(2)
                .map(|w| (Occur::Must, term(field, &w.iter().collect::<String>())))
                .collect();
            Box::new(BooleanQuery::new(parts))
        }
    };
    let mut clauses = vec![
        (
            Occur::Should,
            boosted(term(f.name, text), BOOST_NAME * weight),
        ),
        (
            Occur::Should,
            boosted(term(f.spu, text), BOOST_SPU * weight),
        ),
        (
            Occur::Should,
            boosted(term(f.brand, text), BOOST_BRAND * weight),
        ),
        (
            Occur::Should,
            boosted(term(f.catalog, text), BOOST_CATALOG * weight),
        ),
        (
            Occur::Should,
            boosted(term(f.caption, text), BOOST_CAPTION * weight),
        ),
        (
            Occur::Should,
            boosted(grams(f.name_ngram), BOOST_NGRAM * weight),
        ),
        (
            Occur::Should,
            boosted(grams(f.caption_ngram), BOOST_CAPTION_NGRAM * weight),
        ),
    ];
    if text.chars().all(|c| c.is_ascii_alphabetic()) {
        clauses.push((
            Occur::Should,
            boosted(term(f.pinyin, text), BOOST_PINYIN * weight),
        ));
        clauses.push((
            Occur::Should,
            boosted(term(f.initials, text), BOOST_INITIALS * weight),
        ));
    }
    clauses
}

/// Where one query word may match: the word itself, or one of its synonyms.
fn word_query(loaded: &Loaded, word: &QueryWord) -> BooleanQuery {
    let f = loaded.fields;
    let mut clauses = text_clauses(f, &word.text, 1.0);
    for synonym in &word.synonyms {
        // A synonym of several words ("旅行手提袋") matches where all of its words do.
        let parts: Vec<(Occur, Box<dyn Query>)> = words(synonym)
            .iter()
            .map(|w| {
                (
                    Occur::Must,
                    Box::new(BooleanQuery::new(text_clauses(f, w, BOOST_SYNONYM)))
                        as Box<dyn Query>,
                )
            })
            .collect();
        if !parts.is_empty() {
            clauses.push((Occur::Should, Box::new(BooleanQuery::new(parts))));
        }
    }
    BooleanQuery::new(clauses)
}

#[cfg(test)]
mod tests {
    use super::{SearchWords, pinyin_of, readings, words};

    fn texts(words: &SearchWords, query: &str) -> Vec<(String, Vec<String>)> {
        words
            .analyse(query)
            .into_iter()
            .map(|w| (w.text, w.synonyms))
            .collect()
    }

    #[test]
    fn the_builtin_word_list_is_valid_and_maps_what_shoppers_say() {
        let list = SearchWords::builtin();
        assert_eq!(
            texts(&list, "背包"),
            [("背包".to_owned(), vec!["双肩包".to_owned()])]
        );
        for luggage in ["行李箱", "旅行箱", "登机箱"] {
            let got = texts(&list, luggage);
            assert_eq!(got.len(), 1, "{got:?}");
            assert!(got[0].1.contains(&"拉杆箱".to_owned()), "{got:?}");
        }
    }

    #[test]
    fn stop_words_are_dropped_and_synonyms_found_inside_a_query() {
        let list = SearchWords::builtin();
        let got: Vec<String> = texts(&list, "黑色的拉杆箱")
            .into_iter()
            .map(|w| w.0)
            .collect();
        assert_eq!(got, ["黑色", "拉杆箱"]);
        let got: Vec<String> = texts(&list, "我想买个黑色行李箱")
            .into_iter()
            .map(|w| w.0)
            .collect();
        assert!(
            got.contains(&"行李箱".to_owned()) && got.contains(&"黑色".to_owned()),
            "{got:?}"
        );
        assert!(
            !got.iter()
                .any(|w| ["我", "想", "买", "个"].contains(&w.as_str())),
            "{got:?}"
        );
        assert!(texts(&list, "的了").is_empty());
    }

    #[test]
    fn bad_word_lists_are_refused() {
        assert!(SearchWords::parse("[synonyms]\n\"包\" = [\"双肩包\"]\n").is_err());
        assert!(SearchWords::parse("[synonyms]\n\"背包\" = []\n").is_err());
        assert!(SearchWords::parse("colour = 1\n").is_err());
    }

    #[test]
    fn pinyin_has_every_reading_and_prefixes_and_initials() {
        assert!(readings("拉杆箱").contains(&"laganxiang".to_owned()));
        // 行 reads xing and hang: both are kept.
        let luggage = readings("行李箱");
        assert!(luggage.contains(&"hanglixiang".to_owned()), "{luggage:?}");
        let (full, initials) = pinyin_of(&["达达旅行 轻盈拉杆箱 黑色 20寸"]);
        let full: Vec<&str> = full.split(' ').collect();
        let initials: Vec<&str> = initials.split(' ').collect();
        for want in ["lagan", "laganxiang", "heise"] {
            assert!(full.contains(&want), "{want} in {full:?}");
        }
        for want in ["lgx", "lg", "hs"] {
            assert!(initials.contains(&want), "{want} in {initials:?}");
        }
    }

    #[test]
    fn queries_are_cut_into_words_without_punctuation() {
        let w = words("  双肩包，PC 拉杆箱!! ");
        assert!(w.contains(&"双肩包".to_owned()), "{w:?}");
        assert!(w.contains(&"pc".to_owned()), "{w:?}");
        assert!(
            w.iter().all(|x| x.chars().any(char::is_alphanumeric)),
            "{w:?}"
        );
        assert!(words(" ，。!? ").is_empty());
    }
}
