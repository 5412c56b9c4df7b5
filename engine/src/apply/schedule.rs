//! Which action may start when: the bookkeeping of the executor, kept free of async code so
//! that it can be reasoned about (and tested) on its own.
//!
//! Every instance of the graph is a node, with or without an action; a node without one
//! finishes as soon as it may start, so that ordering carries through unchanged instances
//! (`web → net → image` with only `web` and `image` changing still updates `image` first).
//! An action whose address is not in the graph (an object only the runtime still has) is a
//! node without edges.
//!
//! For a graph edge `a → b` (`a` depends on `b`):
//! - if `b` is deleted, `b` waits for `a`: dependants are deleted, or stop needing `b`,
//!   first (deletions walk the reversed graph);
//! - otherwise, if `a` is not deleted, `a` waits for `b`;
//! - a deletion never waits for a dependency that stays, so a failed update elsewhere does
//!   not keep a removed object around.
//!
//! These waits cannot form a cycle: ranking kept nodes by their graph order and deleted
//! nodes after all of them, in reverse graph order, every wait points to a lower rank.

use super::ActionKind;
use crate::graph::ResourceGraph;
use std::collections::{BTreeSet, HashMap};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Waiting for predecessors.
    Pending,
    /// May start; in `ready`.
    Ready,
    Running,
    /// Succeeded, failed, skipped, or had no action.
    Done,
}

pub(crate) struct Schedule {
    addresses: Vec<String>,
    actions: Vec<Option<ActionKind>>,
    /// How many predecessors have not finished successfully.
    remaining: Vec<usize>,
    /// The nodes that wait for each node.
    waiters: Vec<Vec<usize>>,
    state: Vec<State>,
    /// Action nodes that may start, lowest (earliest in graph order) first.
    ready: BTreeSet<usize>,
}

impl Schedule {
    /// `actions` holds at most one action per address.
    pub(crate) fn new(graph: &ResourceGraph, actions: &[(&str, ActionKind)]) -> Schedule {
        let mut addresses: Vec<String> = graph
            .topological_order()
            .into_iter()
            .map(str::to_string)
            .collect();
        let mut index: HashMap<String, usize> = addresses
            .iter()
            .enumerate()
            .map(|(i, a)| (a.clone(), i))
            .collect();
        let mut kinds = vec![None; addresses.len()];
        for &(address, kind) in actions {
            let i = *index.entry(address.to_string()).or_insert_with(|| {
                addresses.push(address.to_string());
                kinds.push(None);
                addresses.len() - 1
            });
            kinds[i] = Some(kind);
        }
        let n = addresses.len();
        let deleted = |i: usize| kinds[i] == Some(ActionKind::Delete);
        let mut remaining = vec![0; n];
        let mut waiters = vec![Vec::new(); n];
        for (a, address) in addresses.iter().enumerate() {
            for dep in graph.dependencies(address) {
                let Some(&b) = index.get(dep) else { continue };
                let (waiter, waited) = if deleted(b) {
                    (b, a)
                } else if !deleted(a) {
                    (a, b)
                } else {
                    continue;
                };
                remaining[waiter] += 1;
                waiters[waited].push(waiter);
            }
        }
        let mut s = Schedule {
            addresses,
            actions: kinds,
            remaining,
            waiters,
            state: vec![State::Pending; n],
            ready: BTreeSet::new(),
        };
        for i in 0..n {
            if s.remaining[i] == 0 && s.state[i] == State::Pending {
                s.resolve(i);
            }
        }
        s
    }

    pub(crate) fn address(&self, i: usize) -> &str {
        &self.addresses[i]
    }

    /// The next action that may start, now marked running.
    pub(crate) fn start_next(&mut self) -> Option<usize> {
        let i = self.ready.pop_first()?;
        self.state[i] = State::Running;
        Some(i)
    }

    /// `i` succeeded: what waited only for it may start.
    pub(crate) fn succeeded(&mut self, i: usize) {
        self.state[i] = State::Done;
        self.release(i);
    }

    /// `i` failed: everything waiting on it, directly or through other nodes, will not run.
    /// Returns the skipped *actions*, each once.
    pub(crate) fn failed(&mut self, i: usize) -> Vec<usize> {
        self.state[i] = State::Done;
        let mut skipped = Vec::new();
        let mut stack = vec![i];
        while let Some(j) = stack.pop() {
            for k in 0..self.waiters[j].len() {
                let w = self.waiters[j][k];
                if self.state[w] == State::Pending {
                    self.state[w] = State::Done;
                    if self.actions[w].is_some() {
                        skipped.push(w);
                    }
                    stack.push(w);
                }
            }
        }
        skipped.sort_unstable();
        skipped
    }

    /// Actions that never became ready; empty unless the waits had a cycle.
    pub(crate) fn stuck(&self) -> Vec<usize> {
        (0..self.state.len())
            .filter(|&i| self.actions[i].is_some() && self.state[i] == State::Pending)
            .collect()
    }

    /// `i` has no unfinished predecessor: queue it, or finish it at once if it has no
    /// action, releasing its waiters in turn.
    fn resolve(&mut self, i: usize) {
        if self.actions[i].is_some() {
            self.state[i] = State::Ready;
            self.ready.insert(i);
        } else {
            self.state[i] = State::Done;
            self.release(i);
        }
    }

    fn release(&mut self, i: usize) {
        let mut work = vec![i];
        while let Some(j) = work.pop() {
            for k in 0..self.waiters[j].len() {
                let w = self.waiters[j][k];
                self.remaining[w] -= 1;
                if self.remaining[w] == 0 && self.state[w] == State::Pending {
                    if self.actions[w].is_some() {
                        self.state[w] = State::Ready;
                        self.ready.insert(w);
                    } else {
                        self.state[w] = State::Done;
                        work.push(w);
                    }
                }
            }
        }
    }
}
