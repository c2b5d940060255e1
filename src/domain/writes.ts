// Everything the server persists, as values: the commit stream batches them and the
// store writes each batch in one transaction.
import { Message } from './chat';

export type Write = { readonly kind: 'message'; readonly message: Message };
