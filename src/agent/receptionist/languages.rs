//! The few lines said to a caller in their own language before a person takes over.

use crate::agent::understand::Language;

struct Lines {
    code: &'static str,
    /// Before the transfer: someone will help.
    one_moment: &'static str,
    /// Right before handing over.
    transfer: &'static str,
    /// A message was taken: someone will call back.
    callback: &'static str,
    goodbye: &'static str,
    /// No transfer and no number to call back.
    call_back_later: &'static str,
}

const fn lines(language: Language) -> Lines {
    match language {
        Language::Spanish => Lines {
            code: "es",
            one_moment: "Un momento, por favor. Un miembro de nuestro equipo le va a ayudar.",
            transfer: "Le comunico ahora.",
            callback: "Un miembro de nuestro equipo le devolverá la llamada lo antes posible a este número.",
            goodbye: "Gracias por llamar. Adiós.",
            call_back_later: "Lo siento, no hay nadie disponible ahora. Por favor, llame de nuevo en horario de oficina. Gracias.",
        },
        Language::Portuguese => Lines {
            code: "pt",
            one_moment: "Um momento, por favor. Um membro da nossa equipe vai ajudá-lo.",
            transfer: "Vou transferir a sua chamada agora.",
            callback: "Um membro da nossa equipe vai retornar a sua ligação o mais breve possível.",
            goodbye: "Obrigado por ligar. Tchau.",
            call_back_later: "Desculpe, não há ninguém disponível agora. Por favor, ligue novamente no horário de atendimento.",
        },
        Language::French => Lines {
            code: "fr",
            one_moment: "Un instant, s'il vous plaît. Un membre de notre équipe va vous aider.",
            transfer: "Je vous transfère maintenant.",
            callback: "Un membre de notre équipe vous rappellera dès que possible.",
            goodbye: "Merci de votre appel. Au revoir.",
            call_back_later: "Désolé, personne n'est disponible pour le moment. Veuillez rappeler pendant les heures d'ouverture.",
        },
        Language::Chinese => Lines {
            code: "zh",
            one_moment: "请稍等。我们的工作人员会帮助您。",
            transfer: "现在为您转接。",
            callback: "我们的工作人员会尽快给您回电。",
            goodbye: "谢谢您的来电，再见。",
            call_back_later: "抱歉，现在没有工作人员。请在办公时间再打来。",
        },
        Language::Vietnamese => Lines {
            code: "vi",
            one_moment: "Xin vui lòng chờ một chút. Nhân viên của chúng tôi sẽ giúp bạn.",
            transfer: "Tôi sẽ chuyển cuộc gọi ngay bây giờ.",
            callback: "Nhân viên của chúng tôi sẽ gọi lại cho bạn sớm nhất có thể.",
            goodbye: "Cảm ơn bạn đã gọi. Tạm biệt.",
            call_back_later: "Xin lỗi, hiện không có ai. Vui lòng gọi lại trong giờ làm việc.",
        },
        Language::Korean => Lines {
            code: "ko",
            one_moment: "잠시만 기다려 주세요. 저희 직원이 도와드리겠습니다.",
            transfer: "지금 연결해 드리겠습니다.",
            callback: "저희 직원이 최대한 빨리 다시 전화드리겠습니다.",
            goodbye: "전화 주셔서 감사합니다. 안녕히 계세요.",
            call_back_later: "죄송합니다. 지금은 통화 가능한 직원이 없습니다. 영업시간에 다시 전화해 주세요.",
        },
        Language::Japanese => Lines {
            code: "ja",
            one_moment: "少々お待ちください。スタッフがご案内いたします。",
            transfer: "今からお繋ぎします。",
            callback: "スタッフが折り返しお電話いたします。",
            goodbye: "お電話ありがとうございました。失礼いたします。",
            call_back_later: "申し訳ありません、ただいま対応できるスタッフがおりません。営業時間内におかけ直しください。",
        },
        Language::Tagalog => Lines {
            code: "tl",
            one_moment: "Sandali lang po. Tutulungan kayo ng isa sa aming staff.",
            transfer: "Ililipat ko na po ang tawag ninyo.",
            callback: "Tatawagan kayo ng aming staff sa lalong madaling panahon.",
            goodbye: "Salamat po sa pagtawag. Paalam.",
            call_back_later: "Paumanhin po, walang available ngayon. Pakitawagan po kami ulit sa oras ng opisina.",
        },
        Language::Arabic => Lines {
            code: "ar",
            one_moment: "لحظة من فضلك. سيساعدك أحد أعضاء فريقنا.",
            transfer: "سأحولك الآن.",
            callback: "سيتصل بك أحد أعضاء فريقنا في أقرب وقت ممكن.",
            goodbye: "شكراً لاتصالك. مع السلامة.",
            call_back_later: "عذراً، لا يوجد أحد متاح الآن. يرجى الاتصال مرة أخرى خلال ساعات العمل.",
        },
        Language::Russian => Lines {
            code: "ru",
            one_moment: "Одну минуту, пожалуйста. Наш сотрудник вам поможет.",
            transfer: "Сейчас я вас соединю.",
            callback: "Наш сотрудник перезвонит вам как можно скорее.",
            goodbye: "Спасибо за звонок. До свидания.",
            call_back_later: "Извините, сейчас никого нет. Пожалуйста, перезвоните в рабочее время.",
        },
        Language::Hindi => Lines {
            code: "hi",
            one_moment: "कृपया एक क्षण रुकिए। हमारी टीम का एक सदस्य आपकी मदद करेगा।",
            transfer: "मैं अभी आपकी कॉल ट्रांसफर कर रही हूँ।",
            callback: "हमारी टीम का एक सदस्य जल्द ही आपको वापस कॉल करेगा।",
            goodbye: "कॉल करने के लिए धन्यवाद। नमस्ते।",
            call_back_later: "क्षमा करें, अभी कोई उपलब्ध नहीं है। कृपया कार्यालय समय में फिर से कॉल करें।",
        },
        Language::English => Lines {
            code: "en",
            one_moment: "One moment, please. A team member will help you.",
            transfer: "Let me transfer you now.",
            callback: "A team member will call you back as soon as possible.",
            goodbye: "Thank you for calling. Goodbye.",
            call_back_later: "I'm sorry, no one is available right now. Please call back during office hours.",
        },
    }
}

impl Language {
    /// The code clinics list their front desk's languages by ("es").
    pub fn code(self) -> &'static str {
        lines(self).code
    }

    pub fn english_name(self) -> &'static str {
        self.as_str()
    }

    pub fn one_moment_line(self) -> &'static str {
        lines(self).one_moment
    }

    pub fn transfer_line(self) -> &'static str {
        lines(self).transfer
    }

    pub fn callback_line(self) -> &'static str {
        lines(self).callback
    }

    pub fn goodbye_line(self) -> &'static str {
        lines(self).goodbye
    }

    pub fn call_back_later_line(self) -> &'static str {
        lines(self).call_back_later
    }
}
