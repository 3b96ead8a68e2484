//! The floors of the code (README, "Code map"): every module imports only
//! from its own floor or the floors below it, and no modules import each
//! other in a circle. Reads the `crate::` paths of `src/`, test modules
//! aside, and names each offending line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The floors, lowest first, and the modules on each: mostly a folder of
/// `src/` each. A module not named here is on the floor of its closest
/// named parent.
const FLOORS: [(&str, &[&str]); 6] = [
    ("domain", &["domain", "error", "wire"]),
    ("storage", &["storage"]),
    ("services", &["services"]),
    ("server functions", &["api"]),
    ("views", &["views"]),
    ("start-up", &["server"]),
];

/// The floors the views do not import from: they reach storage and the
/// services through the server functions only.
const BELOW_THE_VIEWS: [&str; 2] = ["storage", "services"];

/// Imports that go up a floor for now, each with why (source, target,
/// reason). None today: keep it that way.
const EXCEPTIONS: [(&str, &str, &str); 0] = [];

#[test]
fn every_module_imports_from_its_own_floor_or_below() {
    let modules = read_modules();
    let mut upward = Vec::new();
    for module in modules.values() {
        for import in &module.imports {
            let (from, to) = (floor_of(&module.name), floor_of(&import.target));
            let excepted = EXCEPTIONS
                .iter()
                .any(|(source, target, _)| *source == module.name && *target == import.target);
            if to > from && !excepted {
                upward.push(format!(
                    "{}:{}: {} ({}) imports {} ({})",
                    module.file.display(),
                    import.line,
                    module.name,
                    FLOORS[from].0,
                    import.target,
                    FLOORS[to].0
                ));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports from a higher floor:\n{}",
        upward.join("\n")
    );
    for (source, target, _) in EXCEPTIONS {
        let still_made = modules[source]
            .imports
            .iter()
            .any(|import| import.target == target);
        assert!(
            still_made,
            "{source} no longer imports {target}: drop the exception"
        );
    }
}

#[test]
fn views_reach_storage_and_services_through_server_functions_only() {
    let skipped = views_importing_below_the_server_functions(&read_modules());
    assert!(
        skipped.is_empty(),
        "views importing below the server functions:\n{}",
        skipped.join("\n")
    );
}

#[test]
fn no_modules_import_each_other_in_a_circle() {
    let modules = read_modules();
    let circles = circles(&modules);
    let described: Vec<String> = circles
        .iter()
        .map(|circle| {
            let lines: Vec<String> = circle
                .iter()
                .flat_map(|name| {
                    let module = &modules[name];
                    module
                        .imports
                        .iter()
                        .filter(|import| circle.contains(&import.target))
                        .map(move |import| {
                            format!(
                                "  {}:{}: imports {}",
                                module.file.display(),
                                import.line,
                                import.target
                            )
                        })
                })
                .collect();
            format!(
                "{}\n{}",
                circle.iter().cloned().collect::<Vec<_>>().join(", "),
                lines.join("\n")
            )
        })
        .collect();
    assert!(
        described.is_empty(),
        "modules in a circle:\n{}",
        described.join("\n")
    );
}

#[test]
fn the_check_sees_an_upward_import_a_skipped_floor_and_a_circle() {
    let module = |name: &str, imports: &[&str]| Module {
        name: name.to_string(),
        file: PathBuf::from(format!("src/{name}.rs")),
        imports: imports
            .iter()
            .map(|target| Import {
                target: target.to_string(),
                line: 1,
            })
            .collect(),
    };
    let modules: BTreeMap<String, Module> = [
        module("storage::channel_db", &["views::pos"]),
        module("views::pos", &["views::ui"]),
        module("views::ui", &["views::pos", "services::sync"]),
    ]
    .into_iter()
    .map(|module| (module.name.clone(), module))
    .collect();
    assert!(
        floor_of("views::pos") > floor_of("storage::channel_db"),
        "storage importing a view goes up"
    );
    assert_eq!(
        floor_of("domain::customer::rules"),
        0,
        "a child is on its parent's floor"
    );
    assert_eq!(
        views_importing_below_the_server_functions(&modules),
        ["src/views::ui.rs:1: views::ui imports services::sync"],
        "a view importing a service skips the server functions"
    );
    let circles = circles(&modules);
    assert_eq!(
        circles,
        [BTreeSet::from([
            "views::pos".to_string(),
            "views::ui".to_string()
        ])]
    );
}

/// Each import of a view from storage or the services, as `file:line: …`.
fn views_importing_below_the_server_functions(modules: &BTreeMap<String, Module>) -> Vec<String> {
    modules
        .values()
        .filter(|module| FLOORS[floor_of(&module.name)].0 == "views")
        .flat_map(|module| {
            module
                .imports
                .iter()
                .filter(|import| BELOW_THE_VIEWS.contains(&FLOORS[floor_of(&import.target)].0))
                .map(move |import| {
                    format!(
                        "{}:{}: {} imports {}",
                        module.file.display(),
                        import.line,
                        module.name,
                        import.target
                    )
                })
        })
        .collect()
}

struct Module {
    name: String,
    file: PathBuf,
    imports: Vec<Import>,
}

struct Import {
    target: String,
    line: usize,
}

/// The floor of `module`: that of its closest named parent.
fn floor_of(module: &str) -> usize {
    let mut best: Option<(usize, usize)> = None;
    for (floor, (_, names)) in FLOORS.iter().enumerate() {
        for name in *names {
            let matches = module == *name || module.starts_with(&format!("{name}::"));
            if matches && best.is_none_or(|(length, _)| name.len() > length) {
                best = Some((name.len(), floor));
            }
        }
    }
    best.map(|(_, floor)| floor)
        .unwrap_or_else(|| panic!("module {module} is on no floor: add it to FLOORS"))
}

/// Every module of `src/` but the crate root and the binary, with the
/// modules it imports through `crate::` paths outside its tests. A module
/// importing its own parent or child on its floor is not counted: they are
/// one room.
fn read_modules() -> BTreeMap<String, Module> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = rust_files(&root);
    let names: BTreeSet<String> = files.iter().filter_map(|file| module_name(&root, file)).collect();
    let mut modules = BTreeMap::new();
    for file in &files {
        let Some(name) = module_name(&root, file) else {
            continue;
        };
        let text = std::fs::read_to_string(file).expect("a source file reads");
        let imports: BTreeSet<(String, usize)> = crate_paths(&text)
            .into_iter()
            .filter_map(|(path, line)| {
                let target = closest_module(&names, &path)?;
                let one_room = target == name
                    || ((name.starts_with(&format!("{target}::"))
                        || target.starts_with(&format!("{name}::")))
                        && floor_of(&name) == floor_of(&target));
                (!one_room).then_some((target, line))
            })
            .collect();
        let imports = imports
            .into_iter()
            .map(|(target, line)| Import { target, line })
            .collect();
        let file = file
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(file)
            .to_path_buf();
        modules.insert(name.clone(), Module { name, file, imports });
    }
    modules
}

fn rust_files(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).expect("src reads") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
    files
}

/// `src/hq/sync_status/mod.rs` is `hq::sync_status`; the crate root and the
/// binary are none.
fn module_name(root: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(root).ok()?.with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    let name = parts.join("::");
    (!name.is_empty() && name != "lib" && name != "main").then_some(name)
}

/// Each `crate::…` path of `text` before its test module, with its line;
/// a grouped `use crate::a::{b, c::d}` gives `a::b` and `a::c::d`.
fn crate_paths(text: &str) -> Vec<(String, usize)> {
    let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
    let mut paths = Vec::new();
    for (index, _) in code.match_indices("crate::") {
        let before = code[..index].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let line = code[..index].lines().count().max(1);
        let rest = &code[index + "crate::".len()..];
        let path: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        let path = path.trim_end_matches(':').to_string();
        let after = &rest[path.len()..];
        if let Some(group) = after.strip_prefix("::{") {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            for item in inner.split(',') {
                let item = item.trim().trim_start_matches("self");
                let item: String = item
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                let joined = if item.is_empty() {
                    path.clone()
                } else {
                    format!("{path}::{item}")
                };
                paths.push((joined, line));
            }
        }
        paths.push((path, line));
    }
    paths
}

/// The longest module `path` starts with.
fn closest_module(names: &BTreeSet<String>, path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .map(|length| parts[..length].join("::"))
        .find(|candidate| names.contains(candidate))
}

/// The groups of modules that import each other in a circle (the strongly
/// connected components of more than one module), by Tarjan's algorithm.
fn circles(modules: &BTreeMap<String, Module>) -> Vec<BTreeSet<String>> {
    struct Search<'a> {
        modules: &'a BTreeMap<String, Module>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        circles: Vec<BTreeSet<String>>,
    }
    impl<'a> Search<'a> {
        fn visit(&mut self, name: &'a str) {
            let number = self.index.len();
            self.index.insert(name, number);
            self.low.insert(name, number);
            self.stack.push(name);
            for import in &self.modules[name].imports {
                let target = import.target.as_str();
                if !self.modules.contains_key(target) {
                    continue;
                }
                if !self.index.contains_key(target) {
                    self.visit(target);
                    let low = self.low[name].min(self.low[target]);
                    self.low.insert(name, low);
                } else if self.stack.contains(&target) {
                    let low = self.low[name].min(self.index[target]);
                    self.low.insert(name, low);
                }
            }
            if self.low[name] == self.index[name] {
                let mut component = BTreeSet::new();
                while let Some(member) = self.stack.pop() {
                    component.insert(member.to_string());
                    if member == name {
                        break;
                    }
                }
                if component.len() > 1 {
                    self.circles.push(component);
                }
            }
        }
    }
    let mut search = Search {
        modules,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        circles: Vec::new(),
    };
    for name in modules.keys() {
        if !search.index.contains_key(name.as_str()) {
            search.visit(name);
        }
    }
    search.circles
}
