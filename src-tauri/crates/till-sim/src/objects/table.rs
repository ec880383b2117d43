//! One kind of object for one account: by id, and in creation order for
//! lists (newest first, ties broken by creation order).

use std::collections::HashMap;

#[derive(Debug)]
pub struct Table<T> {
    by_id: HashMap<String, T>,
    order: Vec<String>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Self {
            by_id: HashMap::new(),
            order: Vec::new(),
        }
    }
}

impl<T> Table<T> {
    pub fn insert(&mut self, id: String, value: T) {
        if self.by_id.insert(id.clone(), value).is_none() {
            self.order.push(id);
        }
    }

    pub fn get(&self, id: &str) -> Option<&T> {
        self.by_id.get(id)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        self.by_id.get_mut(id)
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = (&str, &T)> {
        self.order
            .iter()
            .rev()
            .filter_map(|id| self.by_id.get(id).map(|value| (id.as_str(), value)))
    }

    /// Removes objects for which `keep` is false (event retention).
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.by_id.retain(|_, value| keep(value));
        let by_id = &self.by_id;
        self.order.retain(|id| by_id.contains_key(id));
    }
}
