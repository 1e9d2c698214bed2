// Vietnamese words of signing in, signing up and resetting a password: every English key, translated.
import type { enAuth } from './en.auth';

export const viAuth: Record<keyof typeof enAuth, string> = {
  'auth.username': 'Tên đăng nhập',
  'auth.email': 'Email',
  'auth.password': 'Mật khẩu',
  'auth.usernameOrEmail': 'Tên đăng nhập hoặc email',
  'auth.signUp': 'Đăng ký',
  'auth.logIn': 'Đăng nhập',
  'auth.loginTitle': 'Chào mừng bạn trở lại',
  'auth.registerTitle': 'Tạo tài khoản',
  'auth.noAccount': 'Chưa có tài khoản?',
  'auth.haveAccount': 'Đã có tài khoản?',
  'auth.forgot': 'Quên mật khẩu?',
  'auth.forgotTitle': 'Đặt lại mật khẩu',
  'auth.forgotIntro': 'Nhập email của tài khoản: chúng tôi sẽ gửi tới đó một liên kết để chọn mật khẩu mới.',
  'auth.sendLink': 'Gửi liên kết',
  'auth.linkSent': 'Nếu có tài khoản dùng email này, liên kết đang được gửi tới. Liên kết có hiệu lực trong 30 phút.',
  'auth.backToLogin': 'Quay lại đăng nhập',
  'auth.resetTitle': 'Chọn mật khẩu mới',
  'auth.newPassword': 'Mật khẩu mới',
  'auth.setPassword': 'Đặt mật khẩu',
  'auth.resetDone': 'Đã đặt mật khẩu. Hãy đăng nhập bằng mật khẩu mới.',
  'auth.resetMissing': 'Liên kết này không có mã đặt lại. Hãy yêu cầu liên kết mới.',
  'auth.signInWith': 'Đăng nhập bằng {name}',
  'auth.or': 'hoặc',
};
