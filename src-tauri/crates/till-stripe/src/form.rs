//! Stripe's form encoding: nested objects as `a[b][c]`, arrays as `a[0]`,
//! metadata as `metadata[key]`, and an empty value to unset.

/// A parameter tree, built by the typed request structs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    Value(String),
    Map(Vec<(String, Param)>),
    List(Vec<Param>),
}

/// A request body (or query) in the order its parameters were added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `key=value`.
    pub fn set(mut self, key: &str, value: impl ToString) -> Self {
        self.pairs.push((key.to_owned(), value.to_string()));
        self
    }

    /// Adds `key=value` when there is a value.
    pub fn maybe(self, key: &str, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.set(key, value),
            None => self,
        }
    }

    /// Adds a whole tree under `key`.
    pub fn tree(mut self, key: &str, param: &Param) -> Self {
        flatten(key, param, &mut self.pairs);
        self
    }

    /// `metadata[k]=v` for each entry (an empty value removes the key on update).
    pub fn metadata<'a>(
        mut self,
        entries: impl IntoIterator<Item = (&'a String, &'a String)>,
    ) -> Self {
        for (key, value) in entries {
            self.pairs.push((format!("metadata[{key}]"), value.clone()));
        }
        self
    }

    /// `expand[]=path` for each path.
    pub fn expand(mut self, paths: &[&str]) -> Self {
        for path in paths {
            self.pairs.push(("expand[]".to_owned(), (*path).to_owned()));
        }
        self
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// `application/x-www-form-urlencoded`, brackets percent-encoded as
    /// browsers and Stripe's SDKs send them.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        for (key, value) in &self.pairs {
            if !out.is_empty() {
                out.push('&');
            }
            encode_into(key, &mut out);
            out.push('=');
            encode_into(value, &mut out);
        }
        out
    }
}

fn flatten(prefix: &str, param: &Param, out: &mut Vec<(String, String)>) {
    match param {
        Param::Value(value) => out.push((prefix.to_owned(), value.clone())),
        Param::Map(entries) => {
            for (key, child) in entries {
                flatten(&format!("{prefix}[{key}]"), child, out);
            }
        }
        Param::List(items) => {
            for (index, child) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{index}]"), child, out);
            }
        }
    }
}

fn encode_into(text: &str, out: &mut String) {
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(char::from(byte))
            }
            b' ' => out.push('+'),
            other => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(char::from(HEX[usize::from(other >> 4)]));
                out.push(char::from(HEX[usize::from(other & 15)]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_objects_arrays_and_metadata_use_brackets() {
        let item = Param::Map(vec![
            ("quantity".into(), Param::Value("2".into())),
            (
                "price_data".into(),
                Param::Map(vec![
                    ("currency".into(), Param::Value("usd".into())),
                    (
                        "product_data".into(),
                        Param::Map(vec![("name".into(), Param::Value("Mug & Co".into()))]),
                    ),
                ]),
            ),
        ]);
        let form = Form::new()
            .tree("line_items", &Param::List(vec![item]))
            .metadata([
                (&"order".to_owned(), &"A 1".to_owned()),
                (&"gone".to_owned(), &String::new()),
            ])
            .expand(&["line_items"]);
        assert_eq!(
            form.encode(),
            "line_items%5B0%5D%5Bquantity%5D=2&line_items%5B0%5D%5Bprice_data%5D%5Bcurrency%5D=usd\
             &line_items%5B0%5D%5Bprice_data%5D%5Bproduct_data%5D%5Bname%5D=Mug+%26+Co\
             &metadata%5Border%5D=A+1&metadata%5Bgone%5D=&expand%5B%5D=line_items"
        );
    }
}
