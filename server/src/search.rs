//! Full-text search of the launched SKUs, in Chinese: an embedded tantivy index with the
//! jieba segmenter (tantivy-jieba), beside the database in `SEARCH_INDEX_DIR`.
//!
//! Each SKU is one document: its name, caption, SPU name, brand and catalog, each segmented by
//! jieba in search mode (a long word also yields the words inside it: 拉杆箱 → 拉杆, 拉杆箱), plus
//! the name and caption cut into one- and two-character grams so that a word jieba does not
//! know, or cuts differently, is still found inside a longer text. A query is segmented by jieba (exact mode); every word must
//! match somewhere (AND), and a match in the SKU name weighs most, then SPU name and brand,
//! then catalog, then caption (BM25 with field boosts), so name matches rank first. The query
//! is never parsed as query syntax, so no input can fail or reach other fields.
//!
//! Freshness: the index stores the goods version (`goods_state.version`) it was built from
//! as its commit payload. On start, and whenever the goods generation token moves
//! (crate::catalog), a process compares it with the database and rebuilds the whole index
//! when it is behind (a full rebuild of the shop's few thousand SKUs takes well under a
//! second). Several processes sharing one directory take turns through tantivy's writer lock;
//! a process that finds the index already current only reloads its reader.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context as _;
use sqlx::AnyPool;
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value as _,
};
use tantivy::tokenizer::{
    LowerCaser, NgramTokenizer, TextAnalyzer, TokenStream as _, Tokenizer as _,
};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

use crate::db::goods::{self, SearchDocRow};

/// Name of the jieba analyzer (search mode, lower-cased).
const JIEBA: &str = "dd_jieba";
/// Name of the 1..2-gram analyzer of SKU names.
const NGRAM: &str = "dd_ngram";
/// Sub-directory of the index: a schema change gets a new one, so an old index is never
/// opened with the wrong schema.
const SCHEMA_DIR: &str = "v1";
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
    Ok(())
}

#[derive(Clone)]
struct Loaded {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// The goods version the index was built from (0: never built).
    version: i64,
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
}

/// The search index of one process.
#[derive(Debug)]
pub struct SearchIndex {
    dir: PathBuf,
    current: RwLock<Arc<Loaded>>,
    /// The goods generation the index was last checked against.
    checked: RwLock<String>,
    /// One rebuild at a time in this process.
    rebuilding: tokio::sync::Mutex<()>,
}

impl SearchIndex {
    /// Opens the index under `dir` (creating it when missing) and rebuilds it from `db` when
    /// it is missing, unreadable or older than the database's goods version.
    pub async fn open(dir: &Path, db: &AnyPool) -> anyhow::Result<Self> {
        let dir = dir.join(SCHEMA_DIR);
        let loaded = {
            let dir = dir.clone();
            tokio::task::spawn_blocking(move || open_dir(&dir))
                .await
                .context("opening the search index")??
        };
        let this = Self {
            dir,
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

    /// Page `page` (from 1) of `page_size` hits for `query`, best first. An empty or
    /// blank query, or one of only punctuation, has no hits.
    pub fn search(&self, query: &str, page: u64, page_size: usize) -> anyhow::Result<Hits> {
        let loaded = self.loaded();
        let Some(query) = build_query(&loaded, query)? else {
            return Ok(Hits {
                total: 0,
                ids: Vec::new(),
            });
        };
        let searcher = loaded.reader.searcher();
        let offset = usize::try_from(page.saturating_sub(1))
            .unwrap_or(usize::MAX)
            .saturating_mul(page_size);
        // The top-N collector reserves room for `offset + limit` hits up front: a page past
        // every document of the index only counts (the caller answers 40200), so the
        // reservation stays within the index's size whatever page is asked for.
        let documents = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
        if offset >= documents {
            let total = searcher.search(&query, &Count).context("counting")?;
            return Ok(Hits {
                total: total as u64,
                ids: Vec::new(),
            });
        }
        let collector = (
            TopDocs::with_limit(page_size.max(1))
                .and_offset(offset)
                .order_by_score(),
            Count,
        );
        let (top, total) = searcher.search(&query, &collector).context("searching")?;
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
        })
    }
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
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .context("opening the search index reader")?;
    Ok(Loaded {
        index,
        reader,
        fields,
        version,
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
        ..loaded.clone()
    })
}

/// The words of `text` as jieba (exact mode) cuts them, lower-cased, without spaces and
/// punctuation.
fn words(text: &str) -> Vec<String> {
    let mut tokenizer = tantivy_jieba::JiebaTokenizer::with_search_mode(false);
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

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, boost))
}

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// Every word must match in some field; see the module documentation for the weights.
fn build_query(loaded: &Loaded, query: &str) -> anyhow::Result<Option<BooleanQuery>> {
    let query: String = query.chars().take(MAX_QUERY_CHARS).collect();
    let f = loaded.fields;
    let mut musts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for word in words(&query) {
        let chars: Vec<char> = word.chars().collect();
        let grams = |field: Field| -> Box<dyn Query> {
            if chars.len() <= 2 {
                term(field, &word)
            } else {
                let parts = chars
                    .windows(2)
                    .map(|w| (Occur::Must, term(field, &w.iter().collect::<String>())))
                    .collect();
                Box::new(BooleanQuery::new(parts))
            }
        };
        let should: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Should, boosted(term(f.name, &word), BOOST_NAME)),
            (Occur::Should, boosted(term(f.spu, &word), BOOST_SPU)),
            (Occur::Should, boosted(term(f.brand, &word), BOOST_BRAND)),
            (
                Occur::Should,
                boosted(term(f.catalog, &word), BOOST_CATALOG),
            ),
            (
                Occur::Should,
                boosted(term(f.caption, &word), BOOST_CAPTION),
            ),
            (Occur::Should, boosted(grams(f.name_ngram), BOOST_NGRAM)),
            (
                Occur::Should,
                boosted(grams(f.caption_ngram), BOOST_CAPTION_NGRAM),
            ),
        ];
        musts.push((Occur::Must, Box::new(BooleanQuery::new(should))));
    }
    if musts.is_empty() {
        return Ok(None);
    }
    Ok(Some(BooleanQuery::new(musts)))
}

#[cfg(test)]
mod tests {
    use super::words;

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
