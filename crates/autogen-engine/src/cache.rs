//! Results of work on the dev database, kept between runs (docs/migrations.md, "Cache").
//!
//! Replaying a long revision history and normalizing many models cost seconds, and their
//! results depend only on their inputs: the revisions (ids and checksums, in order) or the
//! declared models, the inspection options, the PostgreSQL version of the dev server, and
//! autogen's own version. Each result is stored under a SHA-256 of exactly those inputs, so an
//! entry is either right or never found. Entries are plain JSON files written atomically; an
//! unreadable one counts as absent. Directory: `AUTOGEN_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/autogen`, else `~/.cache/autogen`; `--no-cache` turns it off.

use autogen_introspect::{ExtensionUpdate, InspectOptions, Inspection, UnsupportedObjects};
use autogen_schema::Catalog;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Bumped when what an entry holds, or how a result is computed, changes without a version
/// change of autogen.
const FORMAT: &str = "autogen-cache-6";

/// Entries kept per kind; older ones are removed when a new one is written.
const KEEP: usize = 64;

/// The cache directory of this run.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

/// What a kind of entry is the result of.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// The schema a revision chain produces, read back.
    Replay,
    /// Models normalized through PostgreSQL, read back.
    Models,
}

impl Kind {
    fn dir_name(self) -> &'static str {
        match self {
            Kind::Replay => "replay",
            Kind::Models => "models",
        }
    }
}

/// An inspection as stored (views and the other objects are in the catalog; what is not
/// modeled keeps its names and fingerprints).
#[derive(Serialize, Deserialize)]
struct Entry {
    catalog: Catalog,
    unsupported: Vec<UnsupportedObjects>,
    server_version: i32,
    extension_updates: Vec<ExtensionUpdate>,
}

impl Cache {
    /// The cache for this run, or `None` when disabled or when no directory can be found.
    pub fn for_run(disabled: bool) -> Option<Cache> {
        if disabled {
            return None;
        }
        let var = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
        let dir = var("AUTOGEN_CACHE_DIR")
            .map(PathBuf::from)
            .or_else(|| var("XDG_CACHE_HOME").map(|dir| PathBuf::from(dir).join("autogen")))
            .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".cache/autogen")))?;
        Some(Cache { dir })
    }

    #[cfg(test)]
    pub fn at(dir: &Path) -> Cache {
        Cache {
            dir: dir.to_path_buf(),
        }
    }

    fn path(&self, kind: Kind, key: &str) -> PathBuf {
        self.dir.join(kind.dir_name()).join(format!("{key}.json"))
    }

    /// The stored inspection, if there is a readable one.
    pub fn get(&self, kind: Kind, key: &str) -> Option<Inspection> {
        let path = self.path(kind, key);
        let text = std::fs::read(&path).ok()?;
        match serde_json::from_slice::<Entry>(&text) {
            Ok(entry) => {
                tracing::debug!("cache hit: {}", path.display());
                Some(Inspection {
                    catalog: entry.catalog,
                    unsupported: entry.unsupported,
                    unsupported_known: true,
                    server_version: entry.server_version,
                    extension_updates: entry.extension_updates,
                })
            }
            Err(error) => {
                tracing::warn!(
                    "ignoring unreadable cache entry {}: {error}",
                    path.display()
                );
                None
            }
        }
    }

    /// Stores `inspection`; failing to is only worth a debug line (the cache is an
    /// optimization).
    pub fn put(&self, kind: Kind, key: &str, inspection: &Inspection) {
        let entry = Entry {
            catalog: inspection.catalog.clone(),
            unsupported: inspection.unsupported.clone(),
            server_version: inspection.server_version,
            extension_updates: inspection.extension_updates.clone(),
        };
        if let Err(error) = self.write(kind, key, &entry) {
            tracing::debug!("could not write the cache entry: {error}");
        }
    }

    fn write(&self, kind: Kind, key: &str, entry: &Entry) -> std::io::Result<()> {
        let dir = self.dir.join(kind.dir_name());
        std::fs::create_dir_all(&dir)?;
        let text = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
        let final_path = self.path(kind, key);
        // Unique per process: two runs writing the same entry each rename a whole file.
        let temp = dir.join(format!(".{key}.{}.tmp", std::process::id()));
        std::fs::write(&temp, text)?;
        std::fs::rename(&temp, &final_path)?;
        prune(&dir);
        Ok(())
    }
}

/// Keeps the [`KEEP`] most recently written entries of `dir`.
fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "json"))
        .filter_map(|entry| Some((entry.metadata().ok()?.modified().ok()?, entry.path())))
        .collect();
    if files.len() <= KEEP {
        return;
    }
    files.sort();
    for (_, path) in &files[..files.len() - KEEP] {
        let _ = std::fs::remove_file(path);
    }
}

/// A SHA-256 key builder over everything a result depends on.
#[derive(Clone)]
pub struct KeyBuilder {
    hasher: Sha256,
}

impl KeyBuilder {
    /// Starts a key for `kind` of work on a server of `server_version` with `options`.
    pub fn new(kind: Kind, server_version: &str, options: &InspectOptions) -> KeyBuilder {
        let mut builder = KeyBuilder {
            hasher: Sha256::new(),
        };
        builder.add(FORMAT);
        builder.add(env!("CARGO_PKG_VERSION"));
        builder.add(kind.dir_name());
        builder.add(server_version);
        builder.add(&format!("{:?}", options.include_schemas));
        builder.add(&format!("{:?}", options.exclude_schemas));
        builder.add(&format!("{:?}", options.ignore_tables));
        builder
    }

    /// Adds one input, length-prefixed so `("ab", "c")` and `("a", "bc")` differ.
    pub fn add(&mut self, part: &str) {
        self.hasher.update((part.len() as u64).to_le_bytes());
        self.hasher.update(part.as_bytes());
    }

    pub fn finish(&self) -> String {
        self.hasher
            .clone()
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inspection() -> Inspection {
        let catalog = autogen_schema::catalog_from_json(
            r#"{"schemas": [{"name": "public"}], "tables": [{"schema": "public", "name": "t",
                "columns": [{"name": "id", "data_type": "integer", "not_null": true,
                             "renamed_from": "old_id"}]}]}"#,
        )
        .expect("catalog");
        Inspection {
            catalog,
            unsupported: vec![UnsupportedObjects {
                kind: "policy".into(),
                objects: vec![autogen_introspect::UnsupportedObject {
                    name: "public.t.p".into(),
                    fingerprint: "r PERMISSIVE TO PUBLIC USING (id > 0)".into(),
                }],
            }],
            unsupported_known: true,
            server_version: 150018,
            extension_updates: vec![ExtensionUpdate {
                extension: "citext".into(),
                from: "1.4".into(),
                to: "1.6".into(),
            }],
        }
    }

    #[test]
    fn an_entry_reads_back_equal_and_a_broken_one_is_absent() {
        let dir = tempfile::tempdir().expect("dir");
        let cache = Cache::at(dir.path());
        let stored = inspection();
        cache.put(Kind::Models, "k1", &stored);
        let read = cache.get(Kind::Models, "k1").expect("hit");
        assert_eq!(read.catalog, stored.catalog);
        assert_eq!(read.unsupported, stored.unsupported);
        assert_eq!(read.server_version, 150018);
        assert_eq!(read.extension_updates, stored.extension_updates);
        assert!(cache.get(Kind::Replay, "k1").is_none());
        std::fs::write(dir.path().join("models/k2.json"), "{not json").expect("write");
        assert!(cache.get(Kind::Models, "k2").is_none());
    }

    #[test]
    fn keys_depend_on_every_input() {
        let options = InspectOptions::default();
        let key = |version: &str, parts: &[&str]| {
            let mut builder = KeyBuilder::new(Kind::Replay, version, &options);
            for part in parts {
                builder.add(part);
            }
            builder.finish()
        };
        assert_eq!(key("15.18", &["a", "b"]), key("15.18", &["a", "b"]));
        assert_ne!(key("15.18", &["a", "b"]), key("16.1", &["a", "b"]));
        assert_ne!(key("15.18", &["ab", "c"]), key("15.18", &["a", "bc"]));
        let models = KeyBuilder::new(Kind::Models, "15.18", &options).finish();
        assert_ne!(
            models,
            KeyBuilder::new(Kind::Replay, "15.18", &options).finish()
        );
    }

    #[test]
    fn only_the_newest_entries_are_kept() {
        let dir = tempfile::tempdir().expect("dir");
        let cache = Cache::at(dir.path());
        for n in 0..KEEP + 5 {
            cache.put(Kind::Replay, &format!("k{n}"), &inspection());
        }
        let count = std::fs::read_dir(dir.path().join("replay"))
            .expect("dir")
            .count();
        assert_eq!(count, KEEP);
    }
}
