//! The whole run: parse every file, analyze its model items, resolve across files, and turn
//! problems into located errors. Runs on a thread of its own (see [`isolated`]).

use crate::decl::enums::analyze_enum;
use crate::decl::table::analyze_struct;
use crate::discover::{Found, find_models};
use crate::error::{ModelError, ModelErrors};
use crate::parse::parse_source;
use crate::resolve::{DeclItem, Declared, FileProblem, resolve};
use crate::seaorm::{self, SeaOrmOptions};
use crate::{Models, SourceFile};

pub(crate) fn analyze(
    sources: Vec<SourceFile>,
    mut errors: Vec<ModelError>,
    options: &SeaOrmOptions,
) -> Result<Models, ModelErrors> {
    let mut problems: Vec<FileProblem> = Vec::new();
    let mut decls = Vec::new();
    let mut parsed = Vec::new();
    for (file, source) in sources.iter().enumerate() {
        let mut local = Vec::new();
        match parse_source(&source.text) {
            Err(problem) => local.push(problem),
            Ok(syntax) => {
                let mut found = Vec::new();
                find_models(&syntax.items, &mut found, &mut local);
                for item in found {
                    let item = match item {
                        Found::Model(item) => DeclItem::Table(Box::new(analyze_struct(
                            &item.attrs,
                            &item.ident,
                            &item.fields,
                            &mut local,
                        ))),
                        Found::DbEnum(item) => DeclItem::Enum(Box::new(analyze_enum(
                            &item.attrs,
                            &item.ident,
                            &item.variants,
                            &mut local,
                        ))),
                    };
                    decls.push(Declared { file, item });
                }
                parsed.push((file, syntax));
            }
        }
        problems.extend(local.into_iter().map(|problem| (file, problem)));
    }
    // SeaORM entities relate across files, so they are read once every file is parsed.
    let files: Vec<(usize, &std::path::Path, &syn::File)> = parsed
        .iter()
        .map(|(file, syntax)| (*file, sources[*file].path.as_path(), syntax))
        .collect();
    let seaorm = seaorm::analyze(&files, options, &mut problems);
    decls.extend(seaorm.decls);
    let resolved = resolve(decls, &sources, &mut problems);

    // File order, then position: the order a person reads them in.
    let mut located: Vec<(usize, usize, FileProblem)> = problems
        .into_iter()
        .map(|(file, problem)| (file, problem.loc.byte_range().start, (file, problem)))
        .collect();
    located.sort_by_key(|(file, offset, _)| (*file, *offset));
    errors.extend(located.into_iter().map(|(_, _, (file, problem))| {
        let source = &sources[file];
        ModelError::from_problem(&source.path, &source.text, problem)
    }));
    if !errors.is_empty() {
        return Err(ModelErrors { errors });
    }
    let mut catalog = resolved.catalog;
    catalog.sequences = seaorm.sequences;
    Ok(Models {
        catalog,
        origins: resolved.origins,
        intent: resolved.intent,
        sources,
    })
}

/// Runs `work` on a fresh thread: proc-macro2 keeps the text of every parsed file in a
/// thread-local map that only shrinks when its thread ends, and syn parses recursively, so
/// a large stack keeps pathological input from overflowing it. A panic (a bug) becomes an
/// error instead of taking the caller down.
pub(crate) fn isolated(
    work: impl FnOnce() -> Result<Models, ModelErrors> + Send + 'static,
) -> Result<Models, ModelErrors> {
    const STACK_BYTES: usize = 256 * 1024 * 1024;
    let spawned = std::thread::Builder::new()
        .name("autogen-model".to_string())
        .stack_size(STACK_BYTES)
        .spawn(work);
    let outcome = match spawned {
        Ok(handle) => handle.join().map_err(|panic| {
            panic
                .downcast_ref::<&str>()
                .map(|text| text.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string())
        }),
        Err(error) => Err(format!("cannot start the model reader thread: {error}")),
    };
    outcome.unwrap_or_else(|reason| {
        Err(ModelErrors {
            errors: vec![ModelError::at(
                std::path::Path::new("<models>"),
                "",
                0..0,
                format!("internal error while reading the models: {reason}"),
                "internal error".to_string(),
                Some("this is a bug in autogen; please report it with the model files".to_string()),
            )],
        })
    })
}
