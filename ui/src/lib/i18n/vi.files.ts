// Vietnamese words of files and sources: every English key, translated.
import type { enFiles } from './en.files';

export const viFiles: Record<keyof typeof enFiles, string> = {
  'files.attached': 'Tệp của tin nhắn này',
  'files.uploading': 'Đang tải lên…',
  'files.processing': 'Đang đọc…',
  'files.ready': 'Sẵn sàng',
  'files.readyPages': 'Sẵn sàng · {pages} trang',
  'files.failed': 'Lỗi',
  'files.failedBecause': 'Lỗi: {reason}',
  'files.remove': 'Bỏ {name}',
  'files.title': 'Tệp trong cuộc trò chuyện này',
  'files.hint': 'Các đoạn trong tệp được dùng cho mọi câu trả lời ở đây; câu trả lời trích dẫn chúng [n].',
  'files.none': 'Chưa có tệp nào: đính kèm bằng nút kẹp giấy.',
  'files.detach': 'Bỏ khỏi cuộc trò chuyện',
  'files.delete': 'Xóa {name}',
  'files.deleteShort': 'Xóa',
  'sources.title': 'Nguồn',
  'sources.page': 'trang {page}',
};
