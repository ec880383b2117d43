// Who is at the till: a name picked in Settings on a shared front-desk
// laptop, written into the journal with every money movement. Kept on this
// computer only (localStorage), never sent anywhere but the local journal.
import type { Actor } from "./bindings";

const KEY = "till.operator";

export const operator: { name: string } = $state({ name: localStorage.getItem(KEY) ?? "" });

export function setOperator(name: string): void {
  operator.name = name.trim();
  localStorage.setItem(KEY, operator.name);
}

/** The actor of an action: who, and the note they gave. */
export function actor(note: string): Actor {
  const trimmed = note.trim();
  return { operator: operator.name === "" ? null : operator.name, note: trimmed === "" ? null : trimmed };
}
