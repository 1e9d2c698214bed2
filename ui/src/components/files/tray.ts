// What the composer loads the first time a file is picked or dropped: the attachment state and its chips.

export { type Attachments, createAttachments } from '../../state/attachments';
export { AttachmentChips } from './attachment-chips';
