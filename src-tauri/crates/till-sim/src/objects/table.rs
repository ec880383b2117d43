//! One kind of object for one account, stored compactly: the objects in
//! creation order in one vector, and a hash index over their own ids (no
//! second copy of each id), so a million payments stay small.

use std::hash::BuildHasher;

use hashbrown::DefaultHashBuilder;
use hashbrown::HashTable;

/// An object that knows its id.
pub trait Keyed {
    fn key(&self) -> &str;
}

#[derive(Debug)]
pub struct Table<T> {
    items: Vec<T>,
    index: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            index: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
        }
    }
}

impl<T: Keyed> Table<T> {
    fn position(&self, id: &str) -> Option<usize> {
        let hash = self.hasher.hash_one(id);
        self.index
            .find(hash, |&at| self.items[at as usize].key() == id)
            .map(|&at| at as usize)
    }

    /// Adds an object, or replaces the one with the same id.
    pub fn insert(&mut self, id: String, value: T) {
        debug_assert_eq!(id, value.key());
        if let Some(at) = self.position(value.key()) {
            self.items[at] = value;
            return;
        }
        let at = u32::try_from(self.items.len()).unwrap_or(u32::MAX);
        let hash = self.hasher.hash_one(value.key());
        self.items.push(value);
        let (items, hasher) = (&self.items, &self.hasher);
        self.index
            .insert_unique(hash, at, |&i| hasher.hash_one(items[i as usize].key()));
    }

    pub fn get(&self, id: &str) -> Option<&T> {
        self.position(id).map(|at| &self.items[at])
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        self.position(id).map(|at| &mut self.items[at])
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The first object inserted.
    pub fn oldest(&self) -> Option<&T> {
        self.items.first()
    }

    /// Newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = (&str, &T)> {
        self.items.iter().rev().map(|item| (item.key(), item))
    }

    /// Removes objects for which `keep` is false and rebuilds the index.
    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.items.retain(keep);
        self.index.clear();
        let hasher = &self.hasher;
        for (at, item) in self.items.iter().enumerate() {
            let hash = hasher.hash_one(item.key());
            let at = u32::try_from(at).unwrap_or(u32::MAX);
            let items = &self.items;
            self.index
                .insert_unique(hash, at, |&i| hasher.hash_one(items[i as usize].key()));
        }
    }

    /// Gives back spare capacity (after seeding).
    pub fn shrink(&mut self) {
        self.items.shrink_to_fit();
        let (items, hasher) = (&self.items, &self.hasher);
        self.index
            .shrink_to_fit(|&i| hasher.hash_one(items[i as usize].key()));
    }
}

macro_rules! keyed {
    ($($ty:ty),*) => {
        $(impl Keyed for $ty {
            fn key(&self) -> &str {
                &self.id
            }
        })*
    };
}

keyed!(
    super::payment_intent::PaymentIntent,
    super::charge::Charge,
    super::refund::Refund,
    super::customer::Customer,
    super::catalog::Product,
    super::catalog::Price,
    super::checkout::CheckoutSession,
    super::event::Event,
    super::balance::BalanceTransaction,
    super::balance::Payout,
    super::dispute::Dispute
);

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Item {
        id: String,
        n: u32,
    }

    impl Keyed for Item {
        fn key(&self) -> &str {
            &self.id
        }
    }

    #[test]
    fn finds_replaces_orders_and_retains() {
        let mut table = Table::default();
        for n in 0..1000 {
            table.insert(
                format!("id_{n}"),
                Item {
                    id: format!("id_{n}"),
                    n,
                },
            );
        }
        assert_eq!(table.get("id_500").map(|i| i.n), Some(500));
        table.insert(
            "id_500".into(),
            Item {
                id: "id_500".into(),
                n: 5000,
            },
        );
        assert_eq!(table.len(), 1000);
        assert_eq!(table.get("id_500").map(|i| i.n), Some(5000));
        assert_eq!(
            table.newest_first().next().map(|(id, _)| id),
            Some("id_999")
        );
        table.retain(|item| item.n % 2 == 1);
        assert_eq!(table.len(), 500);
        assert!(table.get("id_2").is_none());
        assert_eq!(table.get("id_3").map(|i| i.n), Some(3));
        assert!(table.get("nope").is_none());
    }
}
