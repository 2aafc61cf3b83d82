//! `autogen pull`: a database's schema written as a project's model files and SQL declarations
//! (`autogen-codegen` makes the text), then proven: the written files are normalized like any
//! project's and compared with the source schema, and every difference is returned by name.

use crate::declarations::SqlDeclarations;
use crate::error::EngineError;
use crate::normalize::DeclaredSchema;
use crate::session::{PlanOptions, Session};
use autogen_codegen::{FileKind, GeneratedFile};
use autogen_introspect::Inspection;
use autogen_schema::{Catalog, ModelIntent};
use std::path::PathBuf;

/// Where pulled files go.
#[derive(Debug, Clone)]
pub struct PullTarget {
    /// The model files' directory (a project's `[models] paths` entry).
    pub models: PathBuf,
    /// The SQL declarations' directory (a project's `[models] sql` entry).
    pub sql: PathBuf,
}

/// What [`write_pulled`] wrote.
#[derive(Debug, Clone, Default)]
pub struct Pulled {
    /// Every file written, in order.
    pub files: Vec<PathBuf>,
    /// The model files and the SQL files among them.
    pub model_files: Vec<PathBuf>,
    pub sql_files: Vec<PathBuf>,
    /// Tables written as `#[derive(Model)]` structs and enum types as `#[derive(DbEnum)]`s.
    pub structs: usize,
    pub enums: usize,
    /// Statements of the SQL declarations.
    pub sql_statements: usize,
}

impl Pulled {
    /// Whether any model file was written (else the project declares everything in SQL).
    pub fn has_models(&self) -> bool {
        self.structs + self.enums > 0
    }
}

impl PullTarget {
    fn path_of(&self, file: &GeneratedFile) -> PathBuf {
        match file.kind {
            FileKind::Model => self.models.join(&file.name),
            FileKind::Sql => self.sql.join(&file.name),
        }
    }
}

/// Writes the files of a project declaring `catalog` under `target`. Nothing is written when
/// any of them exists already (a pull never overwrites someone's models).
pub fn write_pulled(catalog: &Catalog, target: &PullTarget) -> Result<Pulled, EngineError> {
    let generated = autogen_codegen::generate(catalog)?;
    let paths: Vec<PathBuf> = generated
        .files
        .iter()
        .map(|file| target.path_of(file))
        .collect();
    if let Some(existing) = paths.iter().find(|path| path.exists()) {
        return Err(EngineError::PullWouldOverwrite(existing.clone()));
    }
    for (file, path) in generated.files.iter().zip(&paths) {
        let failed = |source| EngineError::WritePulled {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(failed)?;
        }
        // create_new: never overwrite a file that appeared since the check above.
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .and_then(|mut out| std::io::Write::write_all(&mut out, file.text.as_bytes()))
            .map_err(failed)?;
    }
    let of_kind = |kind: FileKind| -> Vec<PathBuf> {
        generated
            .files
            .iter()
            .zip(&paths)
            .filter(|(file, _)| file.kind == kind)
            .map(|(_, path)| path.clone())
            .collect()
    };
    Ok(Pulled {
        model_files: of_kind(FileKind::Model),
        sql_files: of_kind(FileKind::Sql),
        files: paths.clone(),
        structs: generated.structs,
        enums: generated.enums,
        sql_statements: generated.sql_statements,
    })
}

/// How the pulled files compare with their source.
#[derive(Debug, Default)]
pub struct PullCheck {
    /// What the written files would change in the source, one line per change (`add column
    /// public.t.c`); empty when they normalize to exactly the source's schema.
    pub differences: Vec<String>,
    /// The objects of kinds autogen does not model that the written files (with the
    /// hand-written ones given) do not declare as the source has them
    /// (`operator public.===(integer,integer): only in the source`).
    pub unwritten: Vec<String>,
}

impl Session {
    /// The files `pulled` wrote, with the hand-written SQL declarations `keep` (of objects
    /// autogen does not model, which the written ones may use), normalized and compared with
    /// `source`. Only those files are read (other files in the directories are not the
    /// pull's).
    pub async fn pulled_differences(
        &self,
        source: &Inspection,
        pulled: &Pulled,
        keep: &[PathBuf],
        search_path: &[String],
    ) -> Result<PullCheck, EngineError> {
        let sql_files: Vec<PathBuf> = pulled.sql_files.iter().chain(keep).cloned().collect();
        let mut sql = SqlDeclarations::load(&sql_files)?;
        sql.search_path = search_path.to_vec();
        let declared = DeclaredSchema {
            models: autogen_model::load_models(&pulled.model_files)?,
            sql,
        };
        let written = self.normalized(&declared).await?;
        let how = PlanOptions {
            online: None,
            verify: false,
            current_chain: None,
        };
        let migration = self
            .migration(source, &written, &ModelIntent::default(), &how)
            .await?;
        // One line per change (a change may take several statements).
        let mut check = PullCheck::default();
        for statement in &migration.up.statements {
            if !statement.change.is_empty() && !check.differences.contains(&statement.change) {
                check.differences.push(statement.change.clone());
            }
        }
        check.unwritten = migration
            .unmanaged
            .iter()
            .map(|difference| difference.describe("the source", "the written files"))
            .collect();
        Ok(check)
    }
}
