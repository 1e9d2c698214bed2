// The UI's words in English and Vietnamese, the current language (browser default, remembered choice) and t().
import { createSignal } from 'solid-js';

const en = {
  'app.name': 'Chatbot',
  'auth.username': 'Username',
  'auth.email': 'Email',
  'auth.password': 'Password',
  'auth.usernameOrEmail': 'Username or email',
  'auth.signUp': 'Sign up',
  'auth.logIn': 'Log in',
  'auth.logOut': 'Log out',
  'auth.loginTitle': 'Welcome back',
  'auth.registerTitle': 'Create your account',
  'auth.noAccount': 'No account yet?',
  'auth.haveAccount': 'Already have an account?',
  'auth.passwordHint': 'At least 8 characters, with an upper-case letter, a lower-case letter and a digit.',
  'auth.working': 'Please wait…',
  'chat.newChat': 'New chat',
  'chat.send': 'Send',
  'chat.stop': 'Stop',
  'chat.retry': 'Retry',
  'chat.copy': 'Copy',
  'chat.copied': 'Copied',
  'chat.copyCode': 'Copy code',
  'chat.rename': 'Rename',
  'chat.delete': 'Delete',
  'chat.save': 'Save',
  'chat.cancel': 'Cancel',
  'chat.confirmDelete': 'Delete "{title}"? This cannot be undone.',
  'chat.sessions': 'Conversations',
  'chat.noSessions': 'No conversations yet.',
  'chat.messageLabel': 'Message',
  'chat.placeholder': 'Write a message…',
  'chat.keyHint': 'Enter to send · Shift+Enter for a new line · Esc to stop · Ctrl/⌘+K for a new chat',
  'chat.empty': 'Start the conversation: ask anything.',
  'chat.pickOrCreate': 'Pick a conversation or start a new one.',
  'chat.you': 'You',
  'chat.assistant': 'Assistant',
  'chat.typing': 'The assistant is typing',
  'chat.stopped': 'Stopped',
  'chat.failed': 'This answer failed',
  'chat.loadingOlder': 'Loading older messages…',
  'chat.loading': 'Loading…',
  'chat.jumpToLatest': 'Jump to latest',
  'chat.openMenu': 'Open the conversation list',
  'chat.closeMenu': 'Close the conversation list',
  'chat.titleLabel': 'Conversation title',
  'chat.offlineNotice':
    'No real AI model is configured: answers come from the built-in offline model. Set OPENAI_API_KEY or OPENAI_BASE_URL on the server.',
  'conn.connected': 'Connected',
  'conn.connecting': 'Connecting…',
  'conn.reconnecting': 'Reconnecting…',
  'conn.offline': 'Offline',
  'conn.sse': 'Connected (fallback)',
  'theme.toggle': 'Switch theme',
  'theme.dark': 'Dark theme',
  'theme.light': 'Light theme',
  'lang.label': 'Language',
  'lang.en': 'English',
  'lang.vi': 'Tiếng Việt',
  'notFound.title': 'Page not found',
  'notFound.back': 'Back to the chat',
  'error.boundary': 'Something went wrong in this part of the page.',
  'error.reload': 'Try again',
  'err.VALIDATION_ERROR': 'Please check what you typed.',
  'err.AUTHENTICATION_FAILED': 'Wrong username, email or password.',
  'err.TOKEN_EXPIRED': 'Your session has expired, please log in again.',
  'err.TOKEN_INVALID': 'Please log in again.',
  'err.UNAUTHORIZED': 'Please log in.',
  'err.FORBIDDEN': 'You are not allowed to do that.',
  'err.NOT_FOUND': 'That conversation does not exist any more.',
  'err.DUPLICATE_USERNAME': 'This username is already taken.',
  'err.DUPLICATE_EMAIL': 'This email is already registered.',
  'err.GENERATION_IN_PROGRESS': 'An answer is still being written; wait for it or stop it.',
  'err.AI_API_ERROR': 'The AI service is unavailable, please try again.',
  'err.AI_RATE_LIMIT': 'The AI service is busy, please try again in a moment.',
  'err.RATE_LIMITED': 'Too many requests, please wait a moment.',
  'err.PAYLOAD_TOO_LARGE': 'That message is too long.',
  'err.SERVICE_UNAVAILABLE': 'Cannot reach the server. Check your connection and try again.',
  'err.INTERNAL_ERROR': 'Something went wrong on our side, please try again.',
  'err.unknown': 'Something went wrong, please try again.',
  'search.label': 'Search conversations',
  'search.placeholder': 'Search…',
  'search.clear': 'Clear the search',
  'search.none': 'Nothing found.',
  'search.searching': 'Searching…',
  'search.more': 'More results',
  'search.results': 'Search results',
  'search.titleMatch': 'Title',
  'data.menu': 'Your data',
  'data.menuHint': 'Export and import',
  'data.exportAll': 'Export all (JSON)',
  'data.import': 'Import from a file…',
  'data.importFile': 'Chatbot export file',
  'data.imported': 'Imported {n} conversation(s).',
  'data.badFile': 'This file is not a Chatbot export (JSON) or it is damaged.',
  'data.exportMarkdown': 'Export as Markdown',
  'data.exportJson': 'Export as JSON',
  'chat.pin': 'Pin',
  'chat.unpin': 'Unpin',
  'chat.pinned': 'Pinned',
  'chat.more': 'More actions',
  'settings.open': 'Conversation settings',
  'settings.title': 'Settings for this conversation',
  'settings.systemPrompt': 'System prompt',
  'settings.systemPromptHint': 'Instructions the assistant follows in this conversation. Empty: the server default.',
  'settings.model': 'Model',
  'settings.defaultModel': 'Server default ({model})',
  'settings.temperature': 'Temperature',
  'settings.temperatureDefault': 'Server default',
  'settings.temperatureHint': '0 is focused and repeatable, 2 is the most varied.',
  'settings.saved': 'Settings saved.',
  'settings.close': 'Close',
  'branch.regenerate': 'Regenerate',
  'branch.edit': 'Edit',
  'branch.editLabel': 'Edit your message',
  'branch.saveAndSend': 'Save and send',
  'branch.previous': 'Previous version',
  'branch.next': 'Next version',
  'branch.position': 'Version {index} of {count}',
  'pwa.offline':
    'The server cannot be reached. Check your connection; the app will work again once the server answers.',
} as const;

export type MessageKey = keyof typeof en;
type Dictionary = Record<MessageKey, string>;

const vi: Dictionary = {
  'app.name': 'Chatbot',
  'auth.username': 'Tên đăng nhập',
  'auth.email': 'Email',
  'auth.password': 'Mật khẩu',
  'auth.usernameOrEmail': 'Tên đăng nhập hoặc email',
  'auth.signUp': 'Đăng ký',
  'auth.logIn': 'Đăng nhập',
  'auth.logOut': 'Đăng xuất',
  'auth.loginTitle': 'Chào mừng bạn trở lại',
  'auth.registerTitle': 'Tạo tài khoản',
  'auth.noAccount': 'Chưa có tài khoản?',
  'auth.haveAccount': 'Đã có tài khoản?',
  'auth.passwordHint': 'Ít nhất 8 ký tự, gồm chữ hoa, chữ thường và chữ số.',
  'auth.working': 'Vui lòng chờ…',
  'chat.newChat': 'Cuộc trò chuyện mới',
  'chat.send': 'Gửi',
  'chat.stop': 'Dừng',
  'chat.retry': 'Thử lại',
  'chat.copy': 'Sao chép',
  'chat.copied': 'Đã sao chép',
  'chat.copyCode': 'Sao chép mã',
  'chat.rename': 'Đổi tên',
  'chat.delete': 'Xóa',
  'chat.save': 'Lưu',
  'chat.cancel': 'Hủy',
  'chat.confirmDelete': 'Xóa "{title}"? Không thể hoàn tác.',
  'chat.sessions': 'Cuộc trò chuyện',
  'chat.noSessions': 'Chưa có cuộc trò chuyện nào.',
  'chat.messageLabel': 'Tin nhắn',
  'chat.placeholder': 'Nhập tin nhắn…',
  'chat.keyHint': 'Enter để gửi · Shift+Enter để xuống dòng · Esc để dừng · Ctrl/⌘+K để mở cuộc trò chuyện mới',
  'chat.empty': 'Bắt đầu cuộc trò chuyện: hỏi bất cứ điều gì.',
  'chat.pickOrCreate': 'Chọn một cuộc trò chuyện hoặc bắt đầu cuộc mới.',
  'chat.you': 'Bạn',
  'chat.assistant': 'Trợ lý',
  'chat.typing': 'Trợ lý đang trả lời',
  'chat.stopped': 'Đã dừng',
  'chat.failed': 'Câu trả lời bị lỗi',
  'chat.loadingOlder': 'Đang tải tin nhắn cũ…',
  'chat.loading': 'Đang tải…',
  'chat.jumpToLatest': 'Xuống tin mới nhất',
  'chat.openMenu': 'Mở danh sách cuộc trò chuyện',
  'chat.closeMenu': 'Đóng danh sách cuộc trò chuyện',
  'chat.titleLabel': 'Tiêu đề cuộc trò chuyện',
  'chat.offlineNotice':
    'Chưa cấu hình mô hình AI thật: câu trả lời đến từ mô hình ngoại tuyến có sẵn. Hãy đặt OPENAI_API_KEY hoặc OPENAI_BASE_URL trên máy chủ.',
  'conn.connected': 'Đã kết nối',
  'conn.connecting': 'Đang kết nối…',
  'conn.reconnecting': 'Đang kết nối lại…',
  'conn.offline': 'Mất kết nối',
  'conn.sse': 'Đã kết nối (dự phòng)',
  'theme.toggle': 'Đổi giao diện',
  'theme.dark': 'Giao diện tối',
  'theme.light': 'Giao diện sáng',
  'lang.label': 'Ngôn ngữ',
  'lang.en': 'English',
  'lang.vi': 'Tiếng Việt',
  'notFound.title': 'Không tìm thấy trang',
  'notFound.back': 'Quay lại trò chuyện',
  'error.boundary': 'Đã xảy ra lỗi ở phần này của trang.',
  'error.reload': 'Thử lại',
  'err.VALIDATION_ERROR': 'Vui lòng kiểm tra lại thông tin đã nhập.',
  'err.AUTHENTICATION_FAILED': 'Sai tên đăng nhập, email hoặc mật khẩu.',
  'err.TOKEN_EXPIRED': 'Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.',
  'err.TOKEN_INVALID': 'Vui lòng đăng nhập lại.',
  'err.UNAUTHORIZED': 'Vui lòng đăng nhập.',
  'err.FORBIDDEN': 'Bạn không có quyền làm việc này.',
  'err.NOT_FOUND': 'Cuộc trò chuyện này không còn tồn tại.',
  'err.DUPLICATE_USERNAME': 'Tên đăng nhập này đã có người dùng.',
  'err.DUPLICATE_EMAIL': 'Email này đã được đăng ký.',
  'err.GENERATION_IN_PROGRESS': 'Câu trả lời đang được viết; hãy chờ hoặc dừng nó.',
  'err.AI_API_ERROR': 'Dịch vụ AI hiện không khả dụng, vui lòng thử lại.',
  'err.AI_RATE_LIMIT': 'Dịch vụ AI đang bận, vui lòng thử lại sau giây lát.',
  'err.RATE_LIMITED': 'Quá nhiều yêu cầu, vui lòng chờ một chút.',
  'err.PAYLOAD_TOO_LARGE': 'Tin nhắn quá dài.',
  'err.SERVICE_UNAVAILABLE': 'Không thể kết nối máy chủ. Kiểm tra mạng và thử lại.',
  'err.INTERNAL_ERROR': 'Đã có lỗi phía máy chủ, vui lòng thử lại.',
  'err.unknown': 'Đã có lỗi, vui lòng thử lại.',
  'search.label': 'Tìm trong các cuộc trò chuyện',
  'search.placeholder': 'Tìm kiếm…',
  'search.clear': 'Xoá ô tìm kiếm',
  'search.none': 'Không tìm thấy gì.',
  'search.searching': 'Đang tìm…',
  'search.more': 'Thêm kết quả',
  'search.results': 'Kết quả tìm kiếm',
  'search.titleMatch': 'Tiêu đề',
  'data.menu': 'Dữ liệu',
  'data.menuHint': 'Xuất và nhập dữ liệu',
  'data.exportAll': 'Xuất tất cả (JSON)',
  'data.import': 'Nhập từ tệp…',
  'data.importFile': 'Tệp xuất của Chatbot',
  'data.imported': 'Đã nhập {n} cuộc trò chuyện.',
  'data.badFile': 'Tệp này không phải tệp xuất (JSON) của Chatbot hoặc đã bị hỏng.',
  'data.exportMarkdown': 'Xuất dạng Markdown',
  'data.exportJson': 'Xuất dạng JSON',
  'chat.pin': 'Ghim',
  'chat.unpin': 'Bỏ ghim',
  'chat.pinned': 'Đã ghim',
  'chat.more': 'Thêm thao tác',
  'settings.open': 'Cài đặt cuộc trò chuyện',
  'settings.title': 'Cài đặt cho cuộc trò chuyện này',
  'settings.systemPrompt': 'Lời nhắc hệ thống',
  'settings.systemPromptHint': 'Chỉ dẫn trợ lý làm theo trong cuộc trò chuyện này. Để trống: mặc định của máy chủ.',
  'settings.model': 'Mô hình',
  'settings.defaultModel': 'Mặc định của máy chủ ({model})',
  'settings.temperature': 'Nhiệt độ',
  'settings.temperatureDefault': 'Mặc định của máy chủ',
  'settings.temperatureHint': '0 là tập trung và ổn định, 2 là đa dạng nhất.',
  'settings.saved': 'Đã lưu cài đặt.',
  'settings.close': 'Đóng',
  'branch.regenerate': 'Tạo lại',
  'branch.edit': 'Sửa',
  'branch.editLabel': 'Sửa tin nhắn của bạn',
  'branch.saveAndSend': 'Lưu và gửi',
  'branch.previous': 'Phiên bản trước',
  'branch.next': 'Phiên bản sau',
  'branch.position': 'Phiên bản {index} trên {count}',
  'pwa.offline': 'Không thể kết nối tới máy chủ. Hãy kiểm tra mạng; ứng dụng sẽ hoạt động lại khi máy chủ phản hồi.',
};

export const LOCALES = ['en', 'vi'] as const;
export type Locale = (typeof LOCALES)[number];
const dictionaries: Record<Locale, Dictionary> = { en, vi };
const STORAGE_KEY = 'chatbot.locale';

/** The remembered choice, else the browser's first language we speak, else English. */
export function detectLocale(): Locale {
  const saved = safeStorageGet(STORAGE_KEY);
  if (saved === 'en' || saved === 'vi') return saved;
  const langs = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
  for (const l of langs) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'vi' || base === 'en') return base;
  }
  return 'en';
}

const [locale, setLocaleSignal] = createSignal<Locale>(detectLocale());

export { locale };

export function setLocale(next: Locale): void {
  setLocaleSignal(next);
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // storage blocked: the choice lasts for this page only
  }
  document.documentElement.lang = next;
}

/** Translate `key` in the current language; `{name}` placeholders are filled from `params`. Reactive. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = dictionaries[locale()][key] ?? en[key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

function safeStorageGet(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
