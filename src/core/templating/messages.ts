// A rendered prompt is a list of messages, as Dotprompt defines them: the helpers `role`,
// `history`, `media` and `section` leave markers in the rendered text, and the text is cut
// into messages (at role and history markers) and parts (at media and section markers).
// Roles are Dotprompt's (`model`, not `assistant`); the model client maps them when it sends.
// The markers carry a token made at start-up, so a variable's value (a user's text, a model's
// answer) cannot open a turn or attach a file by containing marker text.

export type Role = 'system' | 'user' | 'model' | 'tool';

export interface TextPart {
  text: string;
  metadata?: Record<string, unknown>;
}

export interface MediaPart {
  media: { url: string; contentType?: string };
  metadata?: Record<string, unknown>;
}

/** A section's place (`{{section "name"}}`): filled by the caller, or dropped when sent. */
export interface PendingPart {
  metadata: { purpose: string; pending: true };
}

export type Part = TextPart | MediaPart | PendingPart;

export interface PromptMessage {
  role: Role;
  content: Part[];
  metadata?: Record<string, unknown>;
}

const TOKEN = globalThis.crypto.randomUUID().replaceAll('-', '');
const MARK = `<<<prompt-${TOKEN}:`;
export const markers = {
  role: (role: string) => `${MARK}role:${role}>>>`,
  history: () => `${MARK}history>>>`,
  section: (name: string) => `${MARK}section ${encodeURIComponent(name)}>>>`,
  // Encoded: a URL with spaces or `>>>` in it stays one URL, and cannot name a content type.
  media: (url: string, contentType?: string) =>
    `${MARK}media:url ${encodeURIComponent(url)}${contentType ? ` ${encodeURIComponent(contentType)}` : ''}>>>`,
};

/** Whether rendered text holds markers (a template used `role`, `media`…). */
export function hasMarkers(text: string): boolean {
  return text.includes(MARK);
}

const TURN = new RegExp(`(${MARK}(?:role:[a-z]+|history)>>>)`);
const ROLE = new RegExp(`^${MARK}role:([a-z]+)>>>$`);
const PIECE = new RegExp(`(${MARK}(?:media:url|section)[\\s\\S]*?>>>)`);

/** Non-blank pieces of `text`, the markers among them. */
function pieces(text: string, marker: RegExp): string[] {
  return text.split(marker).filter((piece) => piece.trim() !== '');
}

interface Draft {
  role: Role;
  text: string;
  content?: Part[];
  metadata?: Record<string, unknown>;
}

/**
 * The messages of a rendered template. A role marker starts a new message unless the current
 * one is still empty (then it only changes its role); `{{history}}` places the earlier turns
 * and opens a model turn after them. History not placed by a marker goes before the last
 * user message (or at the end when the last message is not the user's).
 */
export function toMessages(rendered: string, history: PromptMessage[] = []): PromptMessage[] {
  let current: Draft = { role: 'user', text: '' };
  const drafts: Draft[] = [current];
  let placed = false;
  for (const piece of pieces(rendered, TURN)) {
    const role = ROLE.exec(piece)?.[1];
    if (role !== undefined) {
      if (current.text.trim() === '') current.role = role as Role;
      else {
        current = { role: role as Role, text: '' };
        drafts.push(current);
      }
    } else if (piece === markers.history()) {
      placed = true;
      for (const message of history) {
        drafts.push({
          role: message.role,
          text: '',
          content: message.content,
          metadata: { ...message.metadata, purpose: 'history' },
        });
      }
      current = { role: 'model', text: '' };
      drafts.push(current);
    } else {
      current.text += piece;
    }
  }
  const messages = drafts
    .filter((draft) => draft.content !== undefined || draft.text !== '')
    .map((draft): PromptMessage => {
      const message: PromptMessage = {
        role: draft.role,
        content: draft.content ?? toParts(draft.text),
      };
      if (draft.metadata) message.metadata = draft.metadata;
      return message;
    });
  if (placed || history.length === 0) return messages;
  const last = messages.at(-1);
  if (last?.role === 'user') return [...messages.slice(0, -1), ...history, last];
  return [...messages, ...history];
}

function toParts(text: string): Part[] {
  return pieces(text, PIECE).map((piece): Part => {
    if (piece.startsWith(`${MARK}media:url `)) {
      const [, url = '', contentType] = piece.slice(0, -3).split(' ').map(decodeURIComponent);
      return { media: contentType ? { url, contentType } : { url } };
    }
    if (piece.startsWith(`${MARK}section `)) {
      const purpose = decodeURIComponent(piece.slice(`${MARK}section `.length, -3));
      return { metadata: { purpose, pending: true } };
    }
    return { text: piece };
  });
}

/** The text of a message's text parts, joined. */
export function textOf(message: PromptMessage): string {
  return message.content.map((part) => ('text' in part ? part.text : '')).join('');
}
