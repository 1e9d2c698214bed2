// English words of files and sources (chips, the conversation's files, an answer's sources): loaded with them.
export const enFiles = {
  'files.attached': 'Files for this message',
  'files.uploading': 'Uploading…',
  'files.processing': 'Reading…',
  'files.ready': 'Ready',
  'files.readyPages': 'Ready · {pages} pages',
  'files.failed': 'Failed',
  'files.failedBecause': 'Failed: {reason}',
  'files.remove': 'Remove {name}',
  'files.title': 'Files in this conversation',
  'files.hint': 'Their passages are used for every answer here; the answers cite them [n].',
  'files.none': 'No files yet: attach some with the paperclip.',
  'files.detach': 'Take out',
  'files.delete': 'Delete {name}',
  'files.deleteShort': 'Delete',
  'sources.title': 'Sources',
  'sources.page': 'page {page}',
} as const;
