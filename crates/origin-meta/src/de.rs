//! Serde plumbing shared by the file parsers: how TOML and JSON carry positions, map-only and
//! list wrappers with readable "expected …" wording, key paths for messages, and the lenient
//! readers behind the catalog and `SKILL.md` rules ("a non-string reads as `""`").
//!
//! The metadata structs are plain `#[derive(Deserialize)]` types. Three serde behaviours are
//! adjusted here rather than in each struct:
//!
//! - A derived struct also accepts a sequence (fields by position). [`Table`] only accepts a
//!   map, and refuses a TOML date-time, which the `toml` crate hands over as a map too.
//! - `serde_spanned::Spanned` works only under the `toml` deserializer, so entry structs are
//!   generic over a [`Format`] whose [`Format::At`] is `Spanned<T>` for TOML and a transparent
//!   [`Plain<T>`] for JSON; later validation reads the span where there is one.
//! - Spanned values and `Option`s add private segments to the paths `serde_path_to_error` and
//!   `serde_ignored` report; [`KeyPath`] drops them, so users read `binaries[0].name`.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, IntoDeserializer, MapAccess,
    SeqAccess, Unexpected, Visitor,
};
use serde_spanned::Spanned;

use crate::requirement::ToolRequirement;

/// The key the `toml` crate gives a date-time when it hands it over as a map.
const TOML_DATETIME_KEY: &str = "$__toml_private_datetime";

/// Key prefixes of the private fields `serde_spanned` and the `toml` crate route spans and
/// date-times through; never part of a path users see.
const PRIVATE_KEY_PREFIXES: [&str; 2] = ["$__serde_spanned_private_", "$__toml_private_"];

fn is_private_key(key: &str) -> bool {
    PRIVATE_KEY_PREFIXES
        .iter()
        .any(|prefix| key.starts_with(prefix))
}

/// How a metadata format carries positions and names its containers in messages.
pub(crate) trait Format: 'static {
    /// A value together with its byte span in the file, where the format gives one.
    type At<T: DeserializeOwned>: DeserializeOwned + Located<T>;
    /// What a table is called ("expected a table").
    const TABLE: &'static str;
    /// What a list of tables is called.
    const TABLE_LIST: &'static str;
}

/// `.skillrig-origin.toml`: values carry byte spans.
pub(crate) struct Toml;

/// `index.json`: no spans (serde_json reports a line only for its own errors).
pub(crate) struct Json;

impl Format for Toml {
    type At<T: DeserializeOwned> = Spanned<T>;
    const TABLE: &'static str = "a table";
    const TABLE_LIST: &'static str = "an array of tables (`[[binaries]]`)";
}

impl Format for Json {
    type At<T: DeserializeOwned> = Plain<T>;
    const TABLE: &'static str = "an object";
    const TABLE_LIST: &'static str = "an array of objects";
}

/// A value and, where the format gives one, its byte span.
pub(crate) trait Located<T> {
    /// The value's byte range in the file.
    fn span(&self) -> Option<Range<usize>>;
    /// The value.
    fn into_inner(self) -> T;
}

impl<T> Located<T> for Spanned<T> {
    fn span(&self) -> Option<Range<usize>> {
        Some(Spanned::span(self))
    }

    fn into_inner(self) -> T {
        Spanned::into_inner(self)
    }
}

/// A value without a position (JSON).
#[derive(Deserialize)]
#[serde(transparent)]
pub(crate) struct Plain<T>(T);

impl<T> Located<T> for Plain<T> {
    fn span(&self) -> Option<Range<usize>> {
        None
    }

    fn into_inner(self) -> T {
        self.0
    }
}

/// A `T` read from a map only: not from a sequence (which derived structs would take field
/// by field) and not from a TOML date-time.
pub(crate) struct Table<T, F>(pub(crate) T, PhantomData<F>);

impl<'de, T: Deserialize<'de>, F: Format> Deserialize<'de> for Table<T, F> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TableVisitor<T, F>(PhantomData<(T, F)>);

        impl<'de, T: Deserialize<'de>, F: Format> Visitor<'de> for TableVisitor<T, F> {
            type Value = Table<T, F>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(F::TABLE)
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let checked = NoDatetime::<A, F> {
                    map,
                    format: PhantomData,
                };
                T::deserialize(MapAccessDeserializer::new(checked))
                    .map(|value| Table(value, PhantomData))
            }
        }

        deserializer.deserialize_map(TableVisitor(PhantomData))
    }
}

/// A map that fails on the `toml` crate's date-time key.
struct NoDatetime<A, F> {
    map: A,
    format: PhantomData<F>,
}

impl<'de, A: MapAccess<'de>, F: Format> MapAccess<'de> for NoDatetime<A, F> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.map.next_key_seed(CheckedKey::<K, F> {
            seed,
            format: PhantomData,
        })
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// Reads a key as a string (through the wrappers that record it for paths), refuses the
/// date-time key, then hands the string to the real key seed.
struct CheckedKey<K, F> {
    seed: K,
    format: PhantomData<F>,
}

impl<'de, K: DeserializeSeed<'de>, F: Format> DeserializeSeed<'de> for CheckedKey<K, F> {
    type Value = K::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<K::Value, D::Error> {
        let key = String::deserialize(deserializer)?;
        if key == TOML_DATETIME_KEY {
            return Err(de::Error::invalid_type(
                Unexpected::Other("a date-time"),
                &F::TABLE,
            ));
        }
        self.seed.deserialize(key.into_deserializer())
    }
}

/// A list of `T` whose "expected" wording is the format's list of tables.
pub(crate) struct TableList<T, F>(pub(crate) Vec<T>, PhantomData<F>);

impl<'de, T: Deserialize<'de>, F: Format> Deserialize<'de> for TableList<T, F> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor<T, F>(PhantomData<(T, F)>);

        impl<'de, T: Deserialize<'de>, F: Format> Visitor<'de> for ListVisitor<T, F> {
            type Value = TableList<T, F>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(F::TABLE_LIST)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(TableList(items, PhantomData))
            }
        }

        deserializer.deserialize_seq(ListVisitor(PhantomData))
    }
}

/// A string or a list of strings (`asset`, `checksums`).
pub(crate) struct OneOrMany(pub(crate) Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OneOrManyVisitor;

        impl<'de> Visitor<'de> for OneOrManyVisitor {
            type Value = OneOrMany;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![value.to_owned()]))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut items = Vec::new();
                while let Some(Str(item)) = seq.next_element()? {
                    items.push(item);
                }
                Ok(OneOrMany(items))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<OneOrMany, A::Error> {
                Err(de::Error::invalid_type(map_kind(map)?, &self))
            }
        }

        deserializer.deserialize_any(OneOrManyVisitor)
    }
}

/// A string. Unlike `String`, a TOML date-time in its place reads as "a date-time" in the
/// error rather than as the map the `toml` crate hands over.
pub(crate) struct Str(pub(crate) String);

impl<'de> Deserialize<'de> for Str {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;

        impl<'de> Visitor<'de> for StrVisitor {
            type Value = Str;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Str, E> {
                Ok(Str(value.to_owned()))
            }

            fn visit_string<E: de::Error>(self, value: String) -> Result<Str, E> {
                Ok(Str(value))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Str, A::Error> {
                Err(de::Error::invalid_type(map_kind(map)?, &self))
            }
        }

        deserializer.deserialize_string(StrVisitor)
    }
}

/// What a map handed to a visitor that wanted something else is: a TOML date-time (the
/// `toml` crate's private key) or a real map.
pub(crate) fn map_kind<'de, A: MapAccess<'de>>(
    mut map: A,
) -> Result<Unexpected<'static>, A::Error> {
    let first = map.next_key::<Scalar>()?;
    Ok(
        if first.and_then(|key| key.0).as_deref() == Some(TOML_DATETIME_KEY) {
            Unexpected::Other("a date-time")
        } else {
            Unexpected::Map
        },
    )
}

/// One step of a [`KeyPath`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Segment {
    /// A table key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// Where a value is, as users read it: `binaries[0].platforms.linux-x64.os`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct KeyPath(Vec<Segment>);

impl KeyPath {
    /// The path one key further down.
    pub(crate) fn key(&self, key: &str) -> KeyPath {
        let mut path = self.clone();
        path.0.push(Segment::Key(key.to_owned()));
        path
    }

    /// The path one list index further down.
    pub(crate) fn index(&self, index: usize) -> KeyPath {
        let mut path = self.clone();
        path.0.push(Segment::Index(index));
        path
    }

    /// The parent path and the last key, when the path ends in a key.
    pub(crate) fn split_key(&self) -> Option<(KeyPath, &str)> {
        match self.0.split_last() {
            Some((Segment::Key(key), parent)) => Some((KeyPath(parent.to_vec()), key)),
            _ => None,
        }
    }

    /// The steps, outermost first.
    pub(crate) fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// The path of a decoding error.
    pub(crate) fn from_error_path(path: &serde_path_to_error::Path) -> KeyPath {
        let mut out = KeyPath::default();
        for segment in path.iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => out.0.push(Segment::Index(*index)),
                serde_path_to_error::Segment::Map { key }
                | serde_path_to_error::Segment::Enum { variant: key } => {
                    if !is_private_key(key) {
                        out.0.push(Segment::Key(key.clone()));
                    }
                }
                serde_path_to_error::Segment::Unknown => {}
            }
        }
        out
    }

    /// The path of a key nobody read.
    pub(crate) fn from_ignored(path: &serde_ignored::Path<'_>) -> KeyPath {
        fn walk(path: &serde_ignored::Path<'_>, out: &mut Vec<Segment>) {
            match path {
                serde_ignored::Path::Root => {}
                serde_ignored::Path::Seq { parent, index } => {
                    walk(parent, out);
                    out.push(Segment::Index(*index));
                }
                serde_ignored::Path::Map { parent, key } => {
                    walk(parent, out);
                    if !is_private_key(key) {
                        out.push(Segment::Key(key.clone()));
                    }
                }
                serde_ignored::Path::Some { parent }
                | serde_ignored::Path::NewtypeStruct { parent }
                | serde_ignored::Path::NewtypeVariant { parent } => walk(parent, out),
            }
        }
        let mut out = Vec::new();
        walk(path, &mut out);
        KeyPath(out)
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if i == 0 => f.write_str(key)?,
                Segment::Key(key) => write!(f, ".{key}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// Decodes JSON like `serde_json::from_slice`, and on failure also names the key the error is
/// at (`skills.deploy-check.commit`), which serde_json's own message (line and column) lacks.
pub(crate) fn json_from_slice<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
) -> Result<T, (serde_json::Error, Option<String>)> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let key = KeyPath::from_error_path(e.path()).to_string();
        (e.into_inner(), (!key.is_empty()).then_some(key))
    })?;
    // Trailing characters after the document, as `from_slice` refuses them.
    de.end().map_err(|e| (e, None))?;
    Ok(value)
}

/// Decodes JSON into a `serde_json::Value`, refusing an object that has the same key twice:
/// serde_json would keep the last one silently, so a reader of the first would not see the one
/// in force (a lock file is reviewed by reading it).
pub(crate) fn json_value_with_unique_keys(
    bytes: &[u8],
) -> Result<serde_json::Value, serde_json::Error> {
    struct Unique(serde_json::Value);

    impl<'de> Deserialize<'de> for Unique {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Unique, D::Error> {
            d.deserialize_any(UniqueVisitor).map(Unique)
        }
    }

    struct UniqueVisitor;

    impl<'de> serde::de::Visitor<'de> for UniqueVisitor {
        type Value = serde_json::Value;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON value")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
            Ok(v.into())
        }
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok(v.into())
        }
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(v.into())
        }
        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            Ok(serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into))
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(v.into())
        }
        fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
            Ok(v.into())
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(serde_json::Value::Null)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let mut items = Vec::new();
            while let Some(Unique(item)) = seq.next_element()? {
                items.push(item);
            }
            Ok(items.into())
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut object = serde_json::Map::new();
            while let Some(key) = map.next_key::<String>()? {
                if object.contains_key(&key) {
                    return Err(serde::de::Error::custom(format_args!(
                        "duplicate key `{key}`"
                    )));
                }
                let Unique(value) = map.next_value()?;
                object.insert(key, value);
            }
            Ok(object.into())
        }
    }

    serde_json::from_slice::<Unique>(bytes).map(|u| u.0)
}

/// The 1-based line of byte `offset` in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Deserializes a field that is present (even as `null`) as `Some`, for "the first key
/// present wins" rules; absent fields take `None` through `#[serde(default)]`.
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// A type read leniently: any value is accepted, and each shape this type does not take
/// reads as its default (the value is consumed and dropped).
pub(crate) trait Lenient: Default {
    /// A string.
    fn string(_value: String) -> Self {
        Self::default()
    }

    /// A number or boolean, written out.
    fn scalar(_text: String) -> Self {
        Self::default()
    }

    /// A sequence.
    fn seq<'de, A: SeqAccess<'de>>(seq: A) -> Result<Self, A::Error> {
        IgnoredAny.visit_seq(seq)?;
        Ok(Self::default())
    }

    /// A map.
    fn map<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        IgnoredAny.visit_map(map)?;
        Ok(Self::default())
    }
}

/// Deserializes any [`Lenient`] type.
struct LenientVisitor<T>(PhantomData<T>);

impl<'de, T: Lenient> Visitor<'de> for LenientVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<T, E> {
        Ok(T::scalar(value.to_string()))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<T, E> {
        Ok(T::scalar(value.to_string()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<T, E> {
        Ok(T::scalar(value.to_string()))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<T, E> {
        Ok(T::scalar(value.to_string()))
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<T, E> {
        Ok(T::scalar(value.to_string()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<T, E> {
        Ok(T::scalar(float_text(value)))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
        Ok(T::string(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<T, E> {
        Ok(T::string(value))
    }

    fn visit_bytes<E: de::Error>(self, _value: &[u8]) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_none<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        T::seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::map(map)
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<T, A::Error> {
        // A YAML tagged value (`!tag x`): neither a string nor a plain scalar.
        IgnoredAny.visit_enum(data)?;
        Ok(T::default())
    }
}

/// `impl Deserialize` for [`Lenient`] types.
macro_rules! lenient {
    ($($ty:ty),*) => {$(
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_any(LenientVisitor(PhantomData))
            }
        }
    )*};
}

lenient!(
    Anything,
    Text,
    Scalar,
    ScalarList,
    Requirements,
    MaybeRequirement
);

/// A value that is read and dropped, whatever it is (a known key nobody uses).
#[derive(Default)]
pub(crate) struct Anything;

impl Lenient for Anything {}

/// A string; anything else reads as `""` (how Go's decoder fills a string field from JSON
/// `null`, and how the skillrig CLI reads non-string manifest fields).
#[derive(Default)]
pub(crate) struct Text(pub(crate) String);

impl Lenient for Text {
    fn string(value: String) -> Self {
        Text(value)
    }
}

/// A scalar as text (numbers and booleans written out); `None` for null and containers.
#[derive(Default)]
pub(crate) struct Scalar(pub(crate) Option<String>);

impl Lenient for Scalar {
    fn string(value: String) -> Self {
        Scalar(Some(value))
    }

    fn scalar(text: String) -> Self {
        Scalar(Some(text))
    }
}

/// A list's scalar items as text (others skipped); `None` when the value is not a list.
#[derive(Default)]
pub(crate) struct ScalarList(pub(crate) Option<Vec<String>>);

impl Lenient for ScalarList {
    fn seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut items = Vec::new();
        while let Some(Scalar(item)) = seq.next_element()? {
            items.extend(item);
        }
        Ok(ScalarList(Some(items)))
    }
}

/// A `requires` list: map items become [`ToolRequirement`]s (a non-string field reads as
/// `""`), other items are skipped; `None` when the value is not a list.
#[derive(Default)]
pub(crate) struct Requirements(pub(crate) Option<Vec<ToolRequirement>>);

impl Lenient for Requirements {
    fn seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut items = Vec::new();
        while let Some(MaybeRequirement(item)) = seq.next_element()? {
            items.extend(item);
        }
        Ok(Requirements(Some(items)))
    }
}

/// One `requires` item, when it is a map.
#[derive(Default)]
pub(crate) struct MaybeRequirement(Option<ToolRequirement>);

impl Lenient for MaybeRequirement {
    fn map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut requirement = ToolRequirement::default();
        // Keys are read as scalars, so a YAML key such as `1:` is skipped, not an error.
        while let Some(Scalar(key)) = map.next_key()? {
            let slot = match key.as_deref() {
                Some("tool") => &mut requirement.tool,
                Some("version") => &mut requirement.version,
                Some("source") => &mut requirement.source,
                Some("manager") => &mut requirement.manager,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            *slot = map.next_value::<Text>()?.0;
        }
        Ok(MaybeRequirement(Some(requirement)))
    }
}

/// A float as the YAML and JSON libraries write it (`1.0`, `1e300`, `.inf`).
fn float_text(value: f64) -> String {
    if value.is_nan() {
        ".nan".to_owned()
    } else if value.is_infinite() {
        if value > 0.0 { ".inf" } else { "-.inf" }.to_owned()
    } else {
        format!("{value:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths_read_like_the_file() {
        let path = KeyPath::default()
            .key("binaries")
            .index(0)
            .key("platforms")
            .key("linux-x64");
        assert_eq!(path.to_string(), "binaries[0].platforms.linux-x64");
        assert_eq!(KeyPath::default().to_string(), "");
    }

    #[test]
    fn lenient_readers() {
        let json = r#"{"a": "x", "b": 1.0, "c": [1, "two", true, null, {}, [3]], "d": {"k": 1}}"#;
        #[derive(Deserialize)]
        struct Probe {
            a: Text,
            b: Text,
            c: ScalarList,
            d: ScalarList,
            e: Option<Scalar>,
        }
        let probe: Probe = serde_json::from_str(json).unwrap();
        assert_eq!(probe.a.0, "x");
        assert_eq!(probe.b.0, "");
        assert_eq!(
            probe.c.0.unwrap(),
            ["1".to_owned(), "two".to_owned(), "true".to_owned()]
        );
        assert_eq!(probe.d.0, None);
        assert!(probe.e.is_none());
        let yaml: Scalar = serde_norway::from_str("1.0").unwrap();
        assert_eq!(yaml.0.as_deref(), Some("1.0"));
        let yaml: Scalar = serde_norway::from_str(".inf").unwrap();
        assert_eq!(yaml.0.as_deref(), Some(".inf"));
        let tagged: Scalar = serde_norway::from_str("!custom x").unwrap();
        assert_eq!(tagged.0, None);
    }

    #[test]
    fn lines() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }
}
