import type { RequestOptions } from "../core.js";
import type { Message } from "../types.js";
import { Resource, segment } from "./base.js";

/** `/v1/messages`: each email of a campaign to a contact, exactly as it was sent. */
export class Messages extends Resource {
  /**
   * The subject and body as sent (the variant chosen, spintax drawn, variables filled,
   * tracking included), its state, and why a skipped step was not sent.
   */
  async get(id: string, options?: RequestOptions): Promise<Message> {
    return (await this.http.rest<Message>("GET", `/v1/messages/${segment(id)}`, {}, options)).data;
  }
}
